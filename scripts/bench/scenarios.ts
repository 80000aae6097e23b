// What is measured. Each scenario yields, per runtime, a number or the reason it can't run
// there (tsrun grows command by command, so "can't yet" is an expected answer, not a crash).
import { measure } from "./hyperfine.ts";
import { cmd, containerId, type Runtime } from "./runtimes.ts";
import { quote, reason, sh } from "./shell.ts";

export interface Context {
  /** Bundle whose process is `true`. */
  trueBundle: string;
  /** Bundle whose process sleeps until killed. */
  sleepBundle: string;
  workDir: string;
  runs: number;
  warmup: number;
}

/** How many running containers `state`, `list` and `exec` see. */
export const FLEET_SIZE = 20;

export type Cell = { value: number } | { na: string };

export interface Scenario {
  title: string;
  unit: "ms" | "MiB";
  measure(rt: Runtime, ctx: Context): Promise<Cell>;
}

/** Runs the command once as a check (a failing one is n/a, with its error), then times it. */
async function timed(rt: Runtime, ctx: Context, command: string): Promise<Cell> {
  const probe = await sh(command);
  if (!probe.ok) return { na: reason(probe) };
  const t = await measure(rt.name, command, { runs: ctx.runs, warmup: ctx.warmup });
  return "error" in t ? { na: t.error } : { value: t.median * 1000 };
}

const fleets = new Map<string, Promise<string | undefined>>();

/** FLEET_SIZE running containers for `rt`, created once; the reason if that fails. */
function fleet(rt: Runtime, ctx: Context): Promise<string | undefined> {
  let made = fleets.get(rt.name);
  if (!made) {
    made = (async () => {
      for (let i = 0; i < FLEET_SIZE; i++) {
        const id = containerId(rt, `fleet${i}`);
        const pidFile = `${ctx.workDir}/${id}.pid`;
        const create = cmd(rt, "create", "-b", ctx.sleepBundle, "--pid-file", pidFile, id);
        const r = await sh(`${create} && ${cmd(rt, "start", id)}`);
        if (!r.ok) return `setting up ${FLEET_SIZE} containers: ${reason(r)}`;
      }
    })();
    fleets.set(rt.name, made);
  }
  return made;
}

async function onFleet(rt: Runtime, ctx: Context, command: (id: string) => string): Promise<Cell> {
  const failed = await fleet(rt, ctx);
  return failed ? { na: failed } : timed(rt, ctx, command(containerId(rt, "fleet0")));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const scenarios: Scenario[] = [
  {
    title: "run `true` (whole lifecycle)",
    unit: "ms",
    measure: (rt, ctx) =>
      timed(rt, ctx, cmd(rt, "run", "-b", ctx.trueBundle, containerId(rt, "run"))),
  },
  {
    title: "create + start + wait + delete",
    unit: "ms",
    measure(rt, ctx) {
      const id = containerId(rt, "cswd");
      const pidFile = `${ctx.workDir}/${id}.pid`;
      // Waits by polling the init's /proc entry: it is nobody's child here, and once it is a
      // zombie (state Z) it has exited.
      // (pid files have no trailing newline, so `read` reports EOF while still setting pid.)
      const wait = `{ read -r pid || [ -n "$pid" ]; } < ${quote(pidFile)} && ` +
        `while read -r _ _ s _ < /proc/$pid/stat 2>/dev/null && [ "$s" != Z ]; do :; done`;
      return timed(
        rt,
        ctx,
        [
          cmd(rt, "create", "-b", ctx.trueBundle, "--pid-file", pidFile, id),
          cmd(rt, "start", id),
          wait,
          cmd(rt, "delete", id),
        ].join(" && "),
      );
    },
  },
  {
    title: `state (${FLEET_SIZE} containers)`,
    unit: "ms",
    measure: (rt, ctx) => onFleet(rt, ctx, (id) => cmd(rt, "state", id)),
  },
  {
    title: `list (${FLEET_SIZE} containers)`,
    unit: "ms",
    measure: (rt, ctx) => onFleet(rt, ctx, () => cmd(rt, "list")),
  },
  {
    title: "exec ID `true`",
    unit: "ms",
    measure: (rt, ctx) => onFleet(rt, ctx, (id) => cmd(rt, "exec", id, "true")),
  },
  {
    title: "peak RSS of run `true`",
    unit: "MiB",
    async measure(rt, ctx) {
      const out = `${ctx.workDir}/rss-${rt.name}`;
      const id = containerId(rt, "rss");
      const kib: number[] = [];
      for (let i = 0; i < Math.max(3, Math.min(ctx.runs, 9)); i++) {
        const r = await sh(
          `/usr/bin/time -o ${quote(out)} -f %M ${cmd(rt, "run", "-b", ctx.trueBundle, id)}`,
        );
        if (!r.ok) return { na: reason(r) };
        kib.push(Number((await Deno.readTextFile(out)).trim().split("\n").at(-1)));
      }
      return { value: median(kib) / 1024 };
    },
  },
];
