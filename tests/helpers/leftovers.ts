// What a container can leave behind on the host after it is deleted: mounts, cgroup directories
// and processes. Tests assert all three are empty after a lifecycle.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import { sleepMs } from "../../runtime/cgroups/files.ts";

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points of this mount namespace at or below `path`, innermost last. */
export function mountsUnder(path: string): string[] {
  let prefix = path;
  try {
    prefix = Deno.realPathSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err; // removed already: compare as given
  }
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
    .map((line) => line.split(" ")[4])
    .filter((mp): mp is string => mp !== undefined)
    .map(unescapeMountinfo)
    .filter((mp) => mp === prefix || mp.startsWith(prefix + "/"));
}

function subdirs(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => join(dir, e.name));
  } catch {
    return []; // vanished while walking, or not a cgroup directory we can read
  }
}

/**
 * Cgroup directories (v1 hierarchies and cgroup2 alike) whose path below /sys/fs/cgroup contains
 * `marker`, e.g. a container id. Symlinked hierarchies (cpu,cpuacct) are walked once.
 */
export function cgroupsMatching(marker: string, root = "/sys/fs/cgroup", maxDepth = 8): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const sub of subdirs(dir)) {
      if (sub.slice(root.length).includes(marker)) found.push(sub);
      if (depth < maxDepth) walk(sub, depth + 1);
    }
  };
  walk(root, 0);
  return found;
}

export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

/** Live processes (zombies have no cmdline) other than this one whose cmdline contains `marker`. */
export function processesMatching(marker: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (pid === Deno.pid) continue;
    let cmdline: string;
    try {
      cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
    } catch {
      continue; // exited meanwhile
    }
    if (cmdline.includes(marker)) found.push({ pid, cmdline });
  }
  return found;
}

export interface Leftovers {
  mounts: string[];
  cgroups: string[];
  processes: ProcessInfo[];
}

/**
 * Everything left of a container: mounts under `path` (e.g. its bundle), cgroup dirs and
 * processes mentioning `marker` (e.g. its id, or a unique word in its args). Processes get up to
 * 2 s to end: a tsrun that just exited may still have its helper ("tsrun-exit", with tsrun's
 * command line) freeing its memory for a few ms (syscalls/spawn/exit.ts).
 */
export function leftovers(opts: { path?: string; marker: string }): Leftovers {
  let processes = processesMatching(opts.marker);
  for (let waited = 0; processes.length > 0 && waited < 2000; waited += 20) {
    sleepMs(20);
    processes = processesMatching(opts.marker);
  }
  return {
    mounts: opts.path ? mountsUnder(opts.path) : [],
    cgroups: cgroupsMatching(opts.marker),
    processes,
  };
}

/** Fails naming whatever `leftovers(opts)` finds. */
export function assertNothingLeft(opts: { path?: string; marker: string }): void {
  assertEquals(leftovers(opts), { mounts: [], cgroups: [], processes: [] });
}
