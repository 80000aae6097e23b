import type { Command } from "../command.ts";
import { idArg, storeOf } from "../common.ts";
import { print } from "../output.ts";
import { inspectContainer, ociState } from "../../runtime/container/inspect.ts";

const command: Command = {
  def: { name: "state", summary: "output the state of a container", ...idArg, flags: [] },
  run(ctx) {
    const c = inspectContainer(storeOf(ctx), ctx.args[0]);
    print(JSON.stringify(ociState(c.stored, c.status), null, 2) + "\n");
    return 0;
  },
};
export default command;
