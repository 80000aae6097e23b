import type { Command } from "../command.ts";
import { idArg, storeOf } from "../common.ts";
import { pauseContainer } from "../../runtime/container/pause.ts";

const command: Command = {
  def: {
    name: "pause",
    summary: "pause suspends all processes inside the container",
    ...idArg,
    flags: [],
  },
  run(ctx) {
    pauseContainer(storeOf(ctx), ctx.args[0]);
    return 0;
  },
};
export default command;
