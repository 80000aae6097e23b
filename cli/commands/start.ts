import type { Command } from "../command.ts";
import { idArg, storeOf, warner } from "../common.ts";
import { startContainer } from "../../runtime/container/start.ts";

const command: Command = {
  def: {
    name: "start",
    summary: "executes the user defined process in a created container",
    ...idArg,
    flags: [],
  },
  async run(ctx) {
    await startContainer(storeOf(ctx), ctx.args[0], warner(ctx));
    return 0;
  },
};
export default command;
