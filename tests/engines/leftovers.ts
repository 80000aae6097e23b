// What an engine-driven container may leave behind once the engine removed it: tsrun state,
// cgroup directories, processes. Engines clean up asynchronously (conmon's exit command, the
// shim's shutdown), so the check waits a little before it fails.
import { fail, ok } from "node:assert/strict";
import { cgroupsMatching, processesMatching } from "../helpers/mod.ts";
import { eventually } from "./command.ts";

export interface Traces {
  /** tsrun's state directory for the container: <--root>/<id>. */
  stateDir: string;
  /** A string every cgroup directory of the container has in its path. */
  cgroup: string;
  /** Strings found in the command line of the container's processes (and its monitor's). */
  processes: string[];
}

function remaining(t: Traces): string[] {
  const left: string[] = [];
  try {
    Deno.statSync(t.stateDir);
    left.push(`state ${t.stateDir}`);
  } catch { /* gone, as it should be */ }
  left.push(...cgroupsMatching(t.cgroup).map((c) => `cgroup ${c}`));
  for (const marker of t.processes) {
    left.push(...processesMatching(marker).map((p) => `process ${p.pid} ${p.cmdline}`));
  }
  return left;
}

/** Fails naming whatever is still there after up to 10 s. */
export async function assertNoLeftovers(t: Traces): Promise<void> {
  let left: string[] = [];
  await eventually(() => (left = remaining(t)).length === 0, 10_000);
  if (left.length) fail(`left behind:\n  ${left.join("\n  ")}`);
}

/** While the container runs: its traces are where `t` says, so their absence later means something. */
export function assertPresent(t: Traces): void {
  ok(Deno.statSync(t.stateDir).isDirectory, `no tsrun state at ${t.stateDir}`);
  ok(cgroupsMatching(t.cgroup).length > 0, `no cgroup matching ${t.cgroup}`);
  for (const marker of t.processes) {
    ok(processesMatching(marker).length > 0, `no process matching ${marker}`);
  }
}
