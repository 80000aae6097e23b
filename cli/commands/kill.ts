import type { Command } from "../command.ts";
import { storeOf } from "../common.ts";
import { killContainer } from "../../runtime/container/kill.ts";
import { parseSignal } from "../../runtime/signals.ts";

const command: Command = {
  def: {
    name: "kill",
    summary: "kill sends the specified signal (default: SIGTERM) to the container's init process",
    usage: "<container-id> [signal]",
    minArgs: 1,
    maxArgs: 2,
    flags: [{
      name: "all",
      short: "a",
      type: "boolean",
      help: "send the signal to all processes in the container",
    }],
  },
  async run(ctx) {
    await killContainer(
      storeOf(ctx),
      ctx.args[0],
      parseSignal(ctx.args[1] ?? "SIGTERM"),
      ctx.flags.all === true,
    );
    return 0;
  },
};
export default command;
