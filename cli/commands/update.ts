// `update`: runc's flags, or a LinuxResources JSON document (--resources FILE, or "-" for
// stdin) as podman and docker send it. In that document 0 (and "") means "leave unchanged".
import type { FlagDef } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { storeOf, warner } from "../common.ts";
import { updateContainer } from "../../runtime/container/update.ts";
import { parseResources } from "../../specs/parse.ts";
import type { Problem } from "../../specs/problem.ts";

type Parse = (flag: string, raw: string) => number | string;

const UNITS = "kmgtp";

/** A byte count as runc reads it (go-units RAMInBytes): 512, 100m, 1.5g, 1GiB...; or -1. */
export function parseSize(flag: string, raw: string): number {
  if (raw === "-1") return -1;
  const m = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i.exec(raw);
  if (!m) throw new CliError(`invalid value for --${flag}: "${raw}" is not a size like 512m or 1g`);
  const power = m[2] ? UNITS.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.trunc(parseFloat(m[1]) * 1024 ** power);
}

function integer(unsigned: boolean): Parse {
  return (flag, raw) => {
    if (!(unsigned ? /^\d+$/ : /^-?\d+$/).test(raw)) {
      const kind = unsigned ? "an unsigned integer" : "an integer";
      throw new CliError(`invalid value for --${flag}: "${raw}" is not ${kind}`);
    }
    return Number(raw);
  };
}

const text: Parse = (_flag, raw) => raw;

/** flag → where it goes in LinuxResources, how its value is read, and its help. */
const FIELDS: [string, string, string, Parse, string][] = [
  ["memory", "memory", "limit", parseSize, "Memory limit (in bytes, or with a unit: 512m)"],
  ["memory-reservation", "memory", "reservation", parseSize, "Memory reservation or soft_limit"],
  [
    "memory-swap",
    "memory",
    "swap",
    parseSize,
    "Total memory usage (memory + swap); set '-1' to enable unlimited swap",
  ],
  ["kernel-memory", "memory", "kernel", parseSize, "(obsoleted; ignored)"],
  ["kernel-memory-tcp", "memory", "kernelTCP", parseSize, "(obsoleted; ignored)"],
  ["cpu-share", "cpu", "shares", integer(true), "CPU shares (relative weight)"],
  ["cpu-shares", "cpu", "shares", integer(true), "the same as --cpu-share"],
  ["cpu-period", "cpu", "period", integer(true), "CPU CFS period (in usecs)"],
  ["cpu-quota", "cpu", "quota", integer(false), "CPU CFS hardcap limit (in usecs) per period"],
  ["cpu-rt-period", "cpu", "realtimePeriod", integer(true), "CPU realtime period (in usecs)"],
  ["cpu-rt-runtime", "cpu", "realtimeRuntime", integer(false), "CPU realtime runtime per period"],
  ["cpuset-cpus", "cpu", "cpus", text, "CPU(s) to use"],
  ["cpuset-mems", "cpu", "mems", text, "Memory node(s) to use"],
  ["blkio-weight", "blockIO", "weight", integer(true), "per cgroup block IO weight, 10 to 1000"],
  ["pids-limit", "pids", "limit", integer(false), "Maximum number of pids in the container"],
];

const RDT = ["l3-cache-schema", "mem-bw-schema"];

/** Fields a 0 (or "") leaves unchanged in an update, as in runc's documented JSON. */
const UNCHANGED_IF_ZERO: Record<string, string[]> = {
  memory: ["limit", "reservation", "swap", "kernel", "kernelTCP"],
  cpu: ["shares", "quota", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems"],
  blockIO: ["weight"],
  pids: ["limit"],
};

function withoutUnchanged(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return doc;
  const out: Record<string, unknown> = { ...doc };
  for (const [section, keys] of Object.entries(UNCHANGED_IF_ZERO)) {
    const s = out[section];
    if (typeof s !== "object" || s === null || Array.isArray(s)) continue;
    out[section] = Object.fromEntries(
      Object.entries(s).filter(([k, v]) => !(keys.includes(k) && (v === 0 || v === ""))),
    );
  }
  return out;
}

async function readResources(source: string): Promise<unknown> {
  let raw: string;
  try {
    raw = source === "-"
      ? await new Response(Deno.stdin.readable).text()
      : await Deno.readTextFile(source);
  } catch (e) {
    throw new CliError(`--resources ${source}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new CliError(`--resources ${source}: invalid JSON: ${(e as Error).message}`);
  }
}

function fromFlags(flags: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const doc: Record<string, Record<string, unknown>> = {};
  for (const [flag, section, key, parse] of FIELDS) {
    const raw = flags[flag];
    if (typeof raw === "string") (doc[section] ??= {})[key] = parse(flag, raw);
  }
  return doc;
}

const flags: FlagDef[] = [
  {
    name: "resources",
    short: "r",
    type: "string",
    value: "FILE",
    help: "LinuxResources JSON to apply, from FILE or '-' for stdin (no other flag then)",
  },
  ...FIELDS.map(([name, , , , help]): FlagDef => ({ name, type: "string", value: "VALUE", help })),
  ...RDT.map((name): FlagDef => ({
    name,
    type: "string",
    value: "SCHEMA",
    help: "Intel RDT (not supported)",
  })),
];

const command: Command = {
  def: {
    name: "update",
    summary: "update container resource constraints",
    minArgs: 1,
    maxArgs: 1,
    usage: "<container-id>",
    flags,
    description: `
Applies new limits to the running container's cgroup. With --resources, the document is a
linux.resources object (e.g. {"memory":{"limit":100663296}}); a 0 leaves a limit unchanged.`,
  },
  async run(ctx) {
    const rdt = RDT.find((f) => ctx.flags[f] !== undefined);
    if (rdt) throw new CliError(`--${rdt}: Intel RDT is not supported by tsrun`);
    const given = FIELDS.filter(([f]) => ctx.flags[f] !== undefined).map(([f]) => `--${f}`);
    const source = ctx.flags.resources as string | undefined;
    if (source !== undefined && given.length > 0) {
      throw new CliError(`--resources cannot be combined with ${given.join(", ")}`);
    }
    const doc = source !== undefined ? await readResources(source) : fromFlags(ctx.flags);
    const { value, problems } = parseResources(withoutUnchanged(doc));
    const where = source !== undefined ? `--resources ${source}` : "update";
    const say = (p: Problem) => `${where}: ${p.pointer || "resources"}: ${p.message}`;
    const error = problems.find((p) => p.severity === "error");
    if (error || !value) throw new CliError(error ? say(error) : `${where}: invalid`);
    const warn = warner(ctx);
    for (const p of problems) warn(say(p));
    await updateContainer(storeOf(ctx), ctx.args[0], value);
    return 0;
  },
};
export default command;
