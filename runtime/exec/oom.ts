// process.oomScoreAdj for an exec'd process. The spawn child runs raw syscalls only and cannot
// write a /proc file it has to open first (the fd number is unknown when the plan is written),
// but oom_score_adj is copied at fork: so tsrun takes the value for the instant of the clone.
import { RuntimeError } from "../errors.ts";

const FILE = "/proc/self/oom_score_adj";

export function withOomScoreAdj<T>(value: number | undefined, fn: () => T): T {
  if (value === undefined) return fn();
  const original = Deno.readTextFileSync(FILE).trim();
  if (original === String(value)) return fn();
  try {
    Deno.writeTextFileSync(FILE, String(value));
  } catch (e) {
    throw new RuntimeError(`process.oomScoreAdj ${value}: ${(e as Error).message}`);
  }
  try {
    return fn();
  } finally {
    // Going back is allowed: without CAP_SYS_RESOURCE the floor (oom_score_adj_min) did not
    // move and `original` was above it; with it, any value may be written.
    Deno.writeTextFileSync(FILE, original);
  }
}
