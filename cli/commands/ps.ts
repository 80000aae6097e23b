import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { storeOf } from "../common.ts";
import { print } from "../output.ts";
import { containerPids, psTable } from "../../runtime/container/ps.ts";

const command: Command = {
  def: {
    name: "ps",
    summary: "ps displays the processes running inside a container",
    usage: "<container-id> [ps options]",
    minArgs: 1,
    flagsEndAfter: 1,
    flags: [{
      name: "format",
      short: "f",
      type: "string",
      value: "FORMAT",
      help: "select one of: table or json",
      default: "table",
    }],
  },
  async run(ctx) {
    const format = ctx.flags.format;
    if (format !== "table" && format !== "json") {
      throw new CliError(`invalid --format "${format}": expected table or json`);
    }
    const [id, ...psArgs] = ctx.args;
    const pids = containerPids(storeOf(ctx), id);
    // Engines parse stdout and stderr together: the array alone, on one line.
    const out = format === "json"
      ? `${JSON.stringify(pids)}\n`
      : await psTable(pids, psArgs.length > 0 ? psArgs : ["-ef"]);
    print(out);
    return 0;
  },
};
export default command;
