import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { storeOf, warner } from "../common.ts";
import { print } from "../output.ts";
import { UnusableState } from "../../runtime/state/store.ts";
import { inspectContainer, type Inspected, ociState } from "../../runtime/container/inspect.ts";

const stateOf = (c: Inspected) => ociState(c.stored, c.status);

let passwd: string[] | undefined;

/** As runc: the name of the user owning the container's state directory, else "#UID". */
function ownerOf(dir: string): string {
  const uid = String(Deno.statSync(dir).uid);
  try {
    passwd ??= Deno.readTextFileSync("/etc/passwd").split("\n");
  } catch {
    passwd = [];
  }
  return passwd.find((l) => l.split(":")[2] === uid)?.split(":")[0] ?? `#${uid}`;
}

const command: Command = {
  def: {
    name: "list",
    summary: "lists containers started by tsrun with the given root",
    usage: "",
    minArgs: 0,
    maxArgs: 0,
    flags: [
      {
        name: "format",
        short: "f",
        type: "string",
        value: "table|json",
        default: "table",
        help: "select one of: table or json",
      },
      { name: "quiet", short: "q", type: "boolean", help: "display only container IDs" },
    ],
  },
  run(ctx) {
    const format = ctx.flags.format;
    if (format !== "table" && format !== "json") {
      throw new CliError(`invalid format option "${format}"`);
    }
    const store = storeOf(ctx);
    // JSON is for engines: a warning then goes to the log only.
    const warn = warner(ctx, format === "json");
    const states = store.ids().flatMap((id) => {
      try {
        const state = stateOf(inspectContainer(store, id));
        state.owner = ownerOf(store.dir(id));
        return [state];
      } catch (e) {
        // One that is being created or deleted right now is not listed; a torn one is named,
        // with the command that removes it, and the others are still listed.
        if (e instanceof UnusableState && !e.absent) warn(e.message);
        return [];
      }
    });
    if (ctx.flags.quiet) {
      print(states.map((s) => `${s.id}\n`).join(""));
    } else if (format === "json") {
      print(JSON.stringify(states) + "\n");
    } else {
      const rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]];
      for (const s of states) {
        rows.push([s.id, s.pid, s.status, s.bundle, s.created, s.owner].map(String));
      }
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)) + 3);
      print(
        rows.map((r) => r.map((c, i) => i < r.length - 1 ? c.padEnd(widths[i]) : c).join("") + "\n")
          .join(""),
      );
    }
    return 0;
  },
};
export default command;
