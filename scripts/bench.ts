// `deno task bench [--runs N] [--warmup N] [--tsrun PATH]`: tsrun, runc and crun side by side in
// one run (hyperfine medians, ratios vs runc), each cell's runs in rounds that alternate the
// runtimes (scenarios.ts). Needs root, hyperfine, /usr/bin/time, unshare.
//
// crun refuses a cgroup v1 hybrid host while the cgroup2 mount is visible, so the whole bench
// (all three runtimes alike) re-executes itself in a private mount namespace without it.
import { parseArgs } from "node:util";
import { hasCommand } from "../tests/helpers/skip.ts";
import { mountsUnder } from "../tests/helpers/leftovers.ts";
import { REPO_ROOT, writeBundle } from "../tests/helpers/rootfs.ts";
import { cleanup } from "./bench/cleanup.ts";
import { table } from "./bench/report.ts";
import { sealCost } from "./bench/seal-cost.ts";
import { buildAll } from "./bundle.ts";
import { runBreakdown } from "./bench/trace.ts";
import { runtime } from "./bench/runtimes.ts";
import { type Cell, type Context, median, type Samples, scenarios } from "./bench/scenarios.ts";
import { sh, shellJoin } from "./bench/shell.ts";

const UNIFIED = "/sys/fs/cgroup/unified";
/** Rounds per cell, at most: fewer when --runs is smaller. */
const ROUNDS = 4;
const INNER = "TSRUN_BENCH_INNER";

function die(msg: string): never {
  console.error(`bench: ${msg}`);
  Deno.exit(1);
}

function options() {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        runs: { type: "string", default: "20" },
        warmup: { type: "string", default: "3" },
        tsrun: { type: "string", default: `${REPO_ROOT}/scripts/tsrun` },
      },
    });
    const count = (name: string, v: string, min: number) => {
      if (!/^\d+$/.test(v) || Number(v) < min) die(`--${name} must be an integer >= ${min}`);
      return Number(v);
    };
    return {
      runs: count("runs", values.runs, 2),
      warmup: count("warmup", values.warmup, 0),
      tsrun: values.tsrun,
    };
  } catch (err) {
    die(
      `${err instanceof Error ? err.message : err}\nusage: deno task bench [--runs N] ` +
        "[--warmup N] [--tsrun PATH]",
    );
  }
}

/** Re-runs this script inside a mount namespace without the cgroup2 mount; returns its code. */
async function reexecHidingUnified(): Promise<number> {
  const self = [Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, ...Deno.args];
  const child = new Deno.Command("unshare", {
    args: ["--mount", "--propagation", "private", "sh", "-c", `umount ${UNIFIED} && exec "$0" "$@"`]
      .concat(self),
    env: { [INNER]: "1" },
  }).spawn();
  // The inner bench cleans up on a signal, so this one must outlive it: a terminal's SIGINT
  // reaches both processes already; a SIGTERM sent to this one only is passed on.
  Deno.addSignalListener("SIGINT", () => {});
  Deno.addSignalListener("SIGTERM", () => child.kill("SIGTERM"));
  return (await child.status).code;
}

async function firstLine(command: string): Promise<string> {
  const r = await sh(`${command} 2>&1`);
  return r.stdout.split("\n")[0] || "?";
}

async function main(): Promise<number> {
  const opts = options();
  if (Deno.uid() !== 0) die("needs root (containers need namespaces, mounts and cgroups)");
  for (const tool of ["hyperfine", "unshare", "runc", "crun"]) {
    if (!hasCommand(tool)) die(`${tool} not found: apt-get install hyperfine util-linux runc crun`);
  }
  try {
    Deno.statSync("/usr/bin/time");
  } catch {
    die("/usr/bin/time not found: apt-get install time");
  }
  if (Deno.env.get(INNER) !== "1" && mountsUnder(UNIFIED).includes(UNIFIED)) {
    return await reexecHidingUnified();
  }
  // tsrun from source runs stale bundles' commands from source: measure the install as it is
  // meant to be.
  await buildAll();

  const hidden = Deno.env.get(INNER) === "1" ? UNIFIED : undefined;
  const workDir = await Deno.makeTempDir({ prefix: "tsrun-bench-" });
  const marker = `bench${Deno.pid}-`;
  const runtimes = [
    runtime("tsrun", opts.tsrun, workDir),
    runtime("runc", "runc", workDir),
    runtime("crun", "crun", workDir),
  ];
  // First signal: stop after the current measurement and clean up (the finally below).
  // Second signal: clean up now and exit.
  let interrupted = false;
  const onSignal = async () => {
    if (interrupted) {
      await cleanup(runtimes, workDir, marker, hidden);
      Deno.exit(130);
    }
    interrupted = true;
    console.error("\nbench: interrupted: cleaning up after the current measurement");
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);

  let problems: string[];
  try {
    const ctx: Context = {
      trueBundle: writeBundle(`${workDir}/bundle-true`, { args: ["true"] }).dir,
      sleepBundle: writeBundle(`${workDir}/bundle-sleep`, { args: ["sleep", "1000000"] }).dir,
      workDir,
      runs: opts.runs,
      warmup: opts.warmup,
      runtimes,
    };
    const versions = await Promise.all(
      runtimes.map((rt) => firstLine(`${shellJoin(rt.argv)} --version`)),
    );
    const rounds = Math.min(ROUNDS, opts.runs);
    const results: Cell[][] = [];
    for (const s of scenarios) {
      const pooled: Samples[] = runtimes.map(() => ({ values: [] }));
      for (let index = 0; index < rounds; index++) {
        for (const [j, rt] of runtimes.entries()) {
          const sofar = pooled[j];
          if ("na" in sofar) continue;
          if (interrupted) return 130;
          console.error(`bench: ${s.title}: ${rt.name} (round ${index + 1} of ${rounds}) ...`);
          const got = await s.measure(rt, ctx, { index, of: rounds });
          if ("na" in got) pooled[j] = got;
          else sofar.values.push(...got.values);
        }
      }
      results.push(pooled.map((p) => "na" in p ? p : { value: median(p.values) }));
    }
    console.log(
      `${opts.runs} runs per cell in ${rounds} rounds that alternate the runtimes ` +
        `(${opts.warmup} warm-up runs before a cell's first round, ${Math.min(1, opts.warmup)} ` +
        `before each other); ` +
        `${runtimes.map((rt, i) => `${rt.name}: ${versions[i]}`).join("; ")}`,
    );
    const ns = hidden ? `in a mount namespace without ${hidden}, ` : "";
    console.log(`(${ns}kernel ${Deno.osRelease()})\n`);
    console.log(table(scenarios, runtimes.map((rt) => rt.name), results));
    console.log(`\n${await runBreakdown(runtimes[0], ctx.trueBundle, opts.runs)}`);
    console.log(`\n${await sealCost(opts.runs)}`);
  } finally {
    problems = await cleanup(runtimes, workDir, marker, hidden);
    for (const p of problems) console.error(`bench: LEFTOVER: ${p}`);
  }
  return problems.length > 0 ? 1 : 0;
}

Deno.exit(await main());
