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
/** How many containers the batch scenarios start and stop at once. */
const BATCH = 50;

export type Cell = { value: number } | { na: string };

export interface Scenario {
  title: string;
  unit: "ms" | "MiB";
  measure(rt: Runtime, ctx: Context): Promise<Cell>;
}

/**
 * Runs the command once as a check (a failing one is n/a, with its error), then times it;
 * `prepare` runs untimed before the check and before every timed run.
 */
async function timed(
  rt: Runtime,
  ctx: Context,
  command: string,
  opts: { prepare?: string; runs?: number; warmup?: number } = {},
): Promise<Cell> {
  const probe = await sh(opts.prepare ? `${opts.prepare} && ${command}` : command);
  if (!probe.ok) return { na: reason(probe) };
  const t = await measure(rt.name, command, {
    runs: opts.runs ?? ctx.runs,
    warmup: opts.warmup ?? ctx.warmup,
    prepare: opts.prepare,
  });
  return "error" in t ? { na: t.error } : { value: t.median * 1000 };
}

/** Waits until the init in `pidFile` has exited: it is nobody's child here (a zombie is done). */
function waitExit(pidFile: string): string {
  // (pid files have no trailing newline, so `read` reports EOF while still setting pid.)
  return `{ read -r pid || [ -n "$pid" ]; } < ${quote(pidFile)} && ` +
    `while read -r _ _ s _ < /proc/$pid/stat 2>/dev/null && [ "$s" != Z ]; do :; done`;
}

/** One lifecycle phase of `true`, timed alone: everything before it is its untimed prepare. */
function phase(rt: Runtime, ctx: Context, which: "create" | "start" | "delete"): Promise<Cell> {
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
  return timed(rt, ctx, steps[at], { prepare: steps.slice(0, at).join(" && ") });
}

/** `count` sleeping containers at once: created and started, or killed, reaped and deleted. */
function batch(rt: Runtime, ctx: Context, count: number, what: "up" | "down"): Promise<Cell> {
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
    ? timed(rt, ctx, up, { prepare: clear, ...runs })
    : timed(rt, ctx, down, { prepare: `${clear} && ${up}`, ...runs });
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

export function median(xs: number[]): number {
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
      return timed(
        rt,
        ctx,
        [
          cmd(rt, "create", "-b", ctx.trueBundle, "--pid-file", pidFile, id),
          cmd(rt, "start", id),
          waitExit(pidFile),
          cmd(rt, "delete", id),
        ].join(" && "),
      );
    },
  },
  { title: "create", unit: "ms", measure: (rt, ctx) => phase(rt, ctx, "create") },
  { title: "start", unit: "ms", measure: (rt, ctx) => phase(rt, ctx, "start") },
  { title: "delete", unit: "ms", measure: (rt, ctx) => phase(rt, ctx, "delete") },
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
    title: `${BATCH}× create+start (sleeping containers)`,
    unit: "ms",
    measure: (rt, ctx) => batch(rt, ctx, BATCH, "up"),
  },
  {
    title: `${BATCH}× kill+reap+delete`,
    unit: "ms",
    measure: (rt, ctx) => batch(rt, ctx, BATCH, "down"),
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
