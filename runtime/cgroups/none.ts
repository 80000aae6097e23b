// A rootless container that the caller could not give a cgroup (no write access to any
// hierarchy) and that asks for no limits, as runc runs it: its processes are the init's
// descendants, found through /proc; there is nothing to limit, freeze or remove.
import type { LinuxResources } from "../../specs/resources.ts";
import { CgroupError, fieldError } from "./files.ts";
import { signalEach } from "./kill.ts";
import type { CgroupManager, FreezerState, Layout } from "./types.ts";
import type { StatsEvent } from "./stats-types.ts";
import type { OomWatch } from "./oom.ts";

/**
 * The first field of `resources` that sets a limit, or undefined. Device rules are not limits
 * here: in a user namespace device nodes cannot be made, only bound from the host, which runc's
 * rootless mode relies on as well (engines send the default deny-all list regardless).
 */
export function firstLimit(resources: unknown): string | undefined {
  if (!resources || typeof resources !== "object") return undefined;
  for (const [key, value] of Object.entries(resources)) {
    if (key === "devices" || value == null) continue;
    if (Array.isArray(value) ? value.length > 0 : typeof value !== "object") return key;
    const inner = firstLimit(value);
    if (inner !== undefined) return `${key}.${inner}`;
  }
  return undefined;
}

/** The pids of `pid` and all its descendants, from /proc/PID/task/TID/children. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    let tasks: Deno.DirEntry[];
    try {
      tasks = [...Deno.readDirSync(`/proc/${p}/task`)];
    } catch {
      continue; // gone meanwhile
    }
    out.push(p);
    for (const t of tasks) {
      try {
        const text = Deno.readTextFileSync(`/proc/${p}/task/${t.name}/children`);
        queue.push(...text.split(" ").filter((s) => s !== "").map(Number));
      } catch { /* the thread ended */ }
    }
  }
  return out;
}

export class NoCgroupManager implements CgroupManager {
  readonly paths: Record<string, string> = {};
  /** `initPid` 0: no live init (delete of remnants), so no processes. */
  constructor(readonly layout: Layout, readonly id: string, readonly initPid: number) {}

  #none(what: string): CgroupError {
    return new CgroupError(
      `cannot ${what}: container ${this.id} has no cgroup (rootless, and the caller may not create one)`,
    );
  }
  validate(resources: LinuxResources): void {
    const field = firstLimit(resources);
    if (field !== undefined) {
      throw fieldError(field, "needs a cgroup, and this rootless container has none");
    }
  }
  lacking(resources: LinuxResources): string[] {
    const field = firstLimit(resources);
    return field === undefined ? [] : [`linux.resources.${field}: needs a cgroup`];
  }
  create(): void {}
  addProcess(): void {}
  set(resources: LinuxResources): void {
    this.validate(resources);
  }
  pids(): number[] {
    return this.initPid ? descendants(this.initPid) : [];
  }
  freeze(): void {
    throw this.#none("freeze (pause)");
  }
  thaw(): void {
    throw this.#none("thaw (resume)");
  }
  freezerState(): FreezerState {
    return "UNDEFINED";
  }
  killAll(signal: number): void {
    signalEach(this, signal);
  }
  stats(): StatsEvent {
    throw this.#none("read statistics");
  }
  oomWatch(): OomWatch {
    throw this.#none("watch for OOM kills");
  }
  destroy(): void {}
  exists(): boolean {
    return false;
  }
}
