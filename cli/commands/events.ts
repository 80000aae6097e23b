import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { idArg, storeOf, warner } from "../common.ts";
import { print } from "../output.ts";
import { containerStats, type Event, watchEvents } from "../../runtime/container/events.ts";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("5s", "500ms", "1m30s"), as runc's --interval takes it, in milliseconds. */
export function parseDuration(raw: string): number {
  if (raw === "0") return 0; // the one unitless duration Go accepts
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let end = 0;
  for (let m; (m = part.exec(raw)) !== null; end = part.lastIndex) {
    ms += Number(m[1]) * UNIT_MS[m[2]];
  }
  if (raw === "" || end !== raw.length) {
    throw new CliError(
      `invalid value "${raw}" for flag --interval: not a duration like 5s or 500ms`,
    );
  }
  return ms;
}

function printEvent(e: Event): void {
  print(`${JSON.stringify(e)}\n`);
}

const command: Command = {
  def: {
    name: "events",
    summary:
      "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
    ...idArg,
    flags: [
      {
        name: "interval",
        type: "string",
        value: "DURATION",
        help: "set the stats collection interval",
        default: "5s",
      },
      { name: "stats", type: "boolean", help: "display the container's stats then exit" },
    ],
  },
  run(ctx) {
    const intervalMs = parseDuration(ctx.flags.interval as string);
    if (intervalMs <= 0) throw new CliError("duration interval must be greater than 0");
    const [id] = ctx.args;
    const store = storeOf(ctx);
    if (ctx.flags.stats === true) printEvent(containerStats(store, id));
    else {watchEvents(store, id, {
        intervalMs: Math.max(1, intervalMs),
        emit: printEvent,
        warn: warner(ctx),
      });}
    return 0;
  },
};
export default command;
