// The container's cgroup as create needs it: resolved and recorded with the claim, made before
// the init exists and joined by the init's spawn child before it execs anything, as exec's
// children join it; or, on v1 as root (so that the memory the init's Deno starts with is the
// caller's, as runc's init's is) or where it cannot be (systemd: a scope unit around the init's
// pid), the init is moved in from here while it starts. Limited once the init has finished its
// own setup; removed on failure or delete.
import type { LinuxResources } from "../../specs/resources.ts";
import {
  CgroupError,
  cgroupManager,
  type CgroupRecord,
  firstLimit,
  isDenied,
  NoCgroupManager,
} from "../cgroups/mod.ts";
import type { CgroupManager } from "../cgroups/types.ts";
import * as parts from "../parts.ts";
import { type CgroupJoin, joinV1, openCgroupJoin } from "../exec/cgroup.ts";
import { isHostRoot } from "../caller.ts";

export interface ContainerCgroup {
  /** Where the cgroup is, kept in the state so later commands reopen exactly it. */
  record: CgroupRecord;
  manager: CgroupManager;
  /** How the init's spawn child gets in (runtime/exec/cgroup.ts): nothing under systemd, nor on
   * v1 as host root when the child does not fork (join moves it in then). `make` makes the
   * directories (create, below): now where the child joins, else in join, so that the init's
   * spawn does not wait for them. */
  openJoin(forks: boolean, make: () => void): CgroupJoin;
  /** Starts moving the init in where its spawn child did not join: a systemd scope around it, or
   * v1's cgroup.procs writes; await the result (it throws what went wrong) before the init goes
   * on. Otherwise the child has joined already. */
  join(pid: number): () => Promise<void>;
  /**
   * Makes the directories. Rootless, where the caller may not, a container asking for no limits
   * (`resources`, maybe not validated yet) goes on without a cgroup, and on v1 in the
   * hierarchies it may write only: then `record` changes and this returns true.
   */
  create(resources: unknown): boolean;
  /**
   * Fails when this host cannot apply `resources`, before anything is written; then applies
   * what the init's own setup needs, the real-time budget (as runc does before its init joins):
   * a new v1 cpu cgroup has none, and the init sets a real-time scheduler itself.
   */
  prepare(resources: LinuxResources | undefined): void;
  /** Applies the validated resources. */
  apply(resources: LinuxResources | undefined): void;
  destroy(): void;
}

/** Resolves the container's cgroup; `create` makes it. `systemd`: --systemd-cgroup, whose
 * driver (and D-Bus) only then loads. */
export async function openCgroup(
  id: string,
  cgroupsPath: string | undefined,
  rootless: boolean,
  systemd: boolean,
): Promise<ContainerCgroup> {
  const unit = systemd
    ? (await parts.systemd()).SystemdManager.forContainer(id, cgroupsPath)
    : undefined;
  let manager: CgroupManager = unit ?? cgroupManager({ cgroupsPath, id });
  // Rootless, the child joins (it may write where this process may not, e.g. from its new user
  // namespace).
  let parentJoins = false;
  let make = () => {};
  return {
    get record(): CgroupRecord {
      if (unit) return unit.record;
      const none = manager instanceof NoCgroupManager ? { none: true as const } : {};
      return { layout: manager.layout, paths: manager.paths, ...none };
    },
    get manager() {
      return manager;
    },
    openJoin(forks, makeDirs) {
      parentJoins = !unit && !forks && manager.layout !== "v2" &&
        !(manager instanceof NoCgroupManager) && isHostRoot();
      if (parentJoins) {
        make = makeDirs;
        return { tasksFds: [] };
      }
      makeDirs();
      return unit ? { tasksFds: [] } : openCgroupJoin(manager, new Map());
    },
    join(pid) {
      if (unit) {
        const wait = unit.adopt(pid);
        return () => Promise.resolve().then(wait);
      }
      if (!parentJoins) return () => Promise.resolve();
      make();
      const joined = joinV1(manager, pid);
      joined.catch(() => {}); // awaited by create unless it fails first
      return () => joined;
    },
    create(resources) {
      try {
        const hierarchies = Object.keys(manager.paths).length;
        manager.create(undefined, rootless && !unit);
        // A rootless v1 create may leave out the hierarchies the caller may not write.
        return Object.keys(manager.paths).length !== hierarchies;
      } catch (e) {
        if (!rootless || unit || !isDenied(e)) throw e;
        const field = firstLimit(resources);
        if (field !== undefined) {
          throw new CgroupError(
            `linux.resources.${field}: cannot be applied: rootless, and ${e.message}`,
          );
        }
        manager = new NoCgroupManager(manager.layout, id, 0);
        return true;
      }
    },
    prepare(resources) {
      if (!resources) return;
      manager.validate(resources);
      const { realtimePeriod, realtimeRuntime } = resources.cpu ?? {};
      if (realtimePeriod || realtimeRuntime) {
        manager.set({ cpu: { realtimePeriod, realtimeRuntime } });
      }
    },
    apply(resources) {
      if (resources) manager.set(resources);
    },
    destroy: () => manager.destroy(),
  };
}
