// Types shared by the cgroup v1 and v2 managers.
import type { LinuxResources } from "../../specs/resources.ts";
import type { OomWatch } from "./oom.ts";
import type { StatsEvent } from "./stats-types.ts";

/** v1: only legacy hierarchies; v2: one unified hierarchy; hybrid: v1 controllers plus a
 * (mostly controller-less) cgroup2 mount at <root>/unified. */
export type Layout = "v1" | "v2" | "hybrid";

/** One value for one control file, and the config field it came from (named in errors). */
export interface Write {
  /** v1: the hierarchy's controller; v2: the controller to enable ("cgroup" for core files). */
  controller: string;
  file: string;
  value: string;
  field: string;
  /** The kernel may reject this with EINVAL until a later write in the same plan has landed
   * (cfs period vs quota, burst vs quota): on EINVAL retry it after the others. */
  retryAfterRest?: boolean;
}

/** What mapping functions may ask about the host: keeps them pure and testable. */
export interface HostView {
  /** Whether `file` exists in the cgroup (or, before it is created, in its hierarchy root). */
  has(controller: string, file: string): boolean;
  /** Current contents of a control file, undefined when absent. */
  read(controller: string, file: string): string | undefined;
}

export type FreezerState = "FROZEN" | "THAWED" | "UNDEFINED";

export interface CgroupManager {
  readonly layout: Layout;
  /** Directory per controller for the state file; "" is the unified (cgroup2) directory. */
  readonly paths: Record<string, string>;
  /** Throws a one-line error when `resources` asks for something this host cannot do. */
  validate(resources: LinuxResources): void;
  /** Every reason (one line each) this host cannot apply `resources`, section by section. */
  lacking(resources: LinuxResources): string[];
  /** Validates `resources` (when given), then creates the cgroup directories; directories it
   * created are removed again if a later step fails. `rootless` (v1): a hierarchy the caller
   * may not write is left out, as runc's rootless cgroups do, and `paths` names the rest; it
   * throws only when there is none. */
  create(resources?: LinuxResources, rootless?: boolean): void;
  addProcess(pid: number): void;
  /** Validates, then applies every field; controllers the host lacks fail before any write. */
  set(resources: LinuxResources): void;
  pids(recursive?: boolean): number[];
  freeze(): void;
  thaw(): void;
  freezerState(): FreezerState;
  /** Signals every process; on v2, SIGKILL uses cgroup.kill when the kernel has it. */
  killAll(signal: number): void;
  stats(): StatsEvent;
  /** Starts watching the memory cgroup for OOMs; throws when there is no memory cgroup. */
  oomWatch(): OomWatch;
  /** Removes the cgroup directories (and child cgroups); absent ones are fine. */
  destroy(): void;
  exists(): boolean;
}
