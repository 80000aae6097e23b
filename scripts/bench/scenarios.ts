// What is measured. Each scenario yields, per runtime, its samples or the reason it can't run
// there (tsrun grows command by command, so "can't yet" is an expected answer, not a crash).
// A cell's runs are split into rounds that bench.ts alternates between the runtimes: this VM's
// speed drifts by a fifth over minutes, and a ratio of two cells timed minutes apart drifted
// with it.
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
  /** Every runtime compared: their fleets are all made before the first one is timed. */
  runtimes: Runtime[];
}

/** Which of a cell's rounds is measured, of how many. */
export interface Round {
  index: number;
  of: number;
}

/** This round's share of `total` runs (the first rounds take the remainder). */
export function share(total: number, round: Round): number {
  return Math.floor(total / round.of) + (round.index < total % round.of ? 1 : 0);
}

/** How many runs hyperfine discards first: all of --warmup before a cell's first round, then
 * one, as the other runtimes ran in between. */
function warmupOf(ctx: Context, round: Round): number {
  return round.index === 0 ? ctx.warmup : Math.min(1, ctx.warmup);
}

/** How many containers `state`, `list` and `exec` see. */
export const FLEET_SIZE = 20;
/** How many containers the batch scenarios start and stop at once. */
const BATCH = 50;

/** One round's values (ms or MiB), or why the scenario cannot run on that runtime. */
export type Samples = { values: number[] } | { na: string };
export type Cell = { value: number } | { na: string };

export interface Scenario {
  title: string;
  unit: "ms" | "MiB";
  measure(rt: Runtime, ctx: Context, round: Round): Promise<Samples>;
}

/**
 * Times this round's share of `runs` (all of ctx.runs by default). In the first round the command
 * runs once before as a check (a failing one is n/a, with its error); `prepare` runs untimed
 * before the check and before every timed run.
 */
async function timed(
  rt: Runtime,
  ctx: Context,
  round: Round,
  command: string,
  opts: { prepare?: string; runs?: number; warmup?: number } = {},
): Promise<Samples> {
  const runs = share(opts.runs ?? ctx.runs, round);
  if (runs === 0) return { values: [] };
  if (round.index === 0) {
    const probe = await sh(opts.prepare ? `${opts.prepare} && ${command}` : command);
    if (!probe.ok) return { na: reason(probe) };
  }
  const t = await measure(rt.name, command, {
    runs,
    warmup: opts.warmup ?? warmupOf(ctx, round),
    prepare: opts.prepare,
  });
  return "error" in t ? { na: t.error } : { values: t.times.map((s) => s * 1000) };
}

/** Waits until the init in `pidFile` has exited: it is nobody's child here (a zombie is done). */
function waitExit(pidFile: string): string {
  // (pid files have no trailing newline, so `read` reports EOF while still setting pid.)
  return `{ read -r pid || [ -n "$pid" ]; } < ${quote(pidFile)} && ` +
    `while read -r _ _ s _ < /proc/$pid/stat 2>/dev/null && [ "$s" != Z ]; do :; done`;
}

/** One lifecycle phase of `true`, timed alone: everything before it is its untimed prepare. */
function phase(
  rt: Runtime,
  ctx: Context,
  round: Round,
  which: "create" | "start" | "delete",
): Promise<Samples> {
  const id = containerId(rt, `phase-${which}`);
  const pidFile = `${ctx.workDir}/${id}.pid`;
  const steps = [
    `${cmd(rt, "delete", "--force", id)} >/dev/null 2>&1; true`,
    cmd(rt, "create", "-b", ctx.trueBundle, "--pid-file", pidFile, id),
    cmd(rt, "start", id),
    waitExit(pidFile),
    cmd(rt, "delete", id),
  ];
  const at = { create: 1, start: 2, delete: 4 }[which];
  return timed(rt, ctx, round, steps[at], { prepare: steps.slice(0, at).join(" && ") });
}

/** `count` sleeping containers at once: created and started, or killed, reaped and deleted. */
function batch(
  rt: Runtime,
  ctx: Context,
  round: Round,
  count: number,
  what: "up" | "down",
): Promise<Samples> {
  const ids = Array.from({ length: count }, (_, i) => containerId(rt, `batch-${i}`));
  const up = ids.map((id) =>
    `${cmd(rt, "create", "-b", ctx.sleepBundle, "--pid-file", `${ctx.workDir}/${id}.pid`, id)}` +
    ` && ${cmd(rt, "start", id)}`
  ).join(" && ");
  const down = ids.map((id) =>
    `${cmd(rt, "kill", id, "KILL")} && ${waitExit(`${ctx.workDir}/${id}.pid`)} && ` +
    cmd(rt, "delete", id)
  ).join(" && ");
  const clear = ids.map((id) => `${cmd(rt, "delete", "--force", id)} >/dev/null 2>&1`)
    .join("; ") + "; true";
  // A few runs: each is already `count` operations.
  const runs = { runs: Math.min(ctx.runs, 3), warmup: 0 };
  return what === "up"
    ? timed(rt, ctx, round, up, { prepare: clear, ...runs })
    : timed(rt, ctx, round, down, { prepare: `${clear} && ${up}`, ...runs });
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

async function onFleet(
  rt: Runtime,
  ctx: Context,
  round: Round,
  command: (id: string) => string,
): Promise<Samples> {
  // Every runtime's fleet first, one after the other: each is timed beside all of them.
  for (const other of ctx.runtimes) await fleet(other, ctx);
  const failed = await fleet(rt, ctx);
  return failed ? { na: failed } : timed(rt, ctx, round, command(containerId(rt, "fleet0")));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const scenarios: Scenario[] = [
  {
    title: "run `true` (whole lifecycle)",
    unit: "ms",
    measure: (rt, ctx, round) =>
      timed(rt, ctx, round, cmd(rt, "run", "-b", ctx.trueBundle, containerId(rt, "run"))),
  },
  {
    title: "create + start + wait + delete",
    unit: "ms",
    measure(rt, ctx, round) {
      const id = containerId(rt, "cswd");
      const pidFile = `${ctx.workDir}/${id}.pid`;
      return timed(
        rt,
        ctx,
        round,
        [
          cmd(rt, "create", "-b", ctx.trueBundle, "--pid-file", pidFile, id),
          cmd(rt, "start", id),
          waitExit(pidFile),
          cmd(rt, "delete", id),
        ].join(" && "),
      );
    },
  },
  { title: "create", unit: "ms", measure: (rt, ctx, round) => phase(rt, ctx, round, "create") },
  { title: "start", unit: "ms", measure: (rt, ctx, round) => phase(rt, ctx, round, "start") },
  { title: "delete", unit: "ms", measure: (rt, ctx, round) => phase(rt, ctx, round, "delete") },
  {
    title: `state (${FLEET_SIZE} containers)`,
    unit: "ms",
    measure: (rt, ctx, round) => onFleet(rt, ctx, round, (id) => cmd(rt, "state", id)),
  },
  {
    title: `list (${FLEET_SIZE} containers)`,
    unit: "ms",
    measure: (rt, ctx, round) => onFleet(rt, ctx, round, () => cmd(rt, "list")),
  },
  {
    title: "exec ID `true`",
    unit: "ms",
    measure: (rt, ctx, round) => onFleet(rt, ctx, round, (id) => cmd(rt, "exec", id, "true")),
  },
  {
    title: `${BATCH}× create+start (sleeping containers)`,
    unit: "ms",
    measure: (rt, ctx, round) => batch(rt, ctx, round, BATCH, "up"),
  },
  {
    title: `${BATCH}× kill+reap+delete`,
    unit: "ms",
    measure: (rt, ctx, round) => batch(rt, ctx, round, BATCH, "down"),
  },
  {
    title: "peak RSS of run `true`",
    unit: "MiB",
    async measure(rt, ctx, round) {
      const out = `${ctx.workDir}/rss-${rt.name}`;
      const id = containerId(rt, "rss");
      const kib: number[] = [];
      for (let i = 0; i < share(Math.max(3, Math.min(ctx.runs, 9)), round); i++) {
        const r = await sh(
          `/usr/bin/time -o ${quote(out)} -f %M ${cmd(rt, "run", "-b", ctx.trueBundle, id)}`,
        );
        if (!r.ok) return { na: reason(r) };
        kib.push(Number((await Deno.readTextFile(out)).trim().split("\n").at(-1)));
      }
      return { values: kib.map((k) => k / 1024) };
    },
  },
];
