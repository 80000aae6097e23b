// The container's cgroup as create needs it: resolved and recorded with the claim, made before
// the init exists and joined by the init's spawn child before it execs anything (or, under the
// systemd driver, a scope unit started around the init once it exists); limited once the init
// has finished its own setup; removed on failure or delete.
import type { LinuxResources } from "../../specs/resources.ts";
import {
  CgroupError,
  cgroupManager,
  type CgroupRecord,
  firstLimit,
  NoCgroupManager,
} from "../cgroups/mod.ts";
import type { CgroupManager } from "../cgroups/types.ts";
import { closeFd } from "../../syscalls/socket.ts";

export interface ContainerCgroup {
  /** Where the cgroup is, kept in the state so later commands reopen exactly it. */
  record: CgroupRecord;
  manager: CgroupManager;
  procsFds(): number[];
  cloneIntoFd(): number | undefined;
  closeFds(): void;
  /**
   * Makes the directories. Rootless, where the caller may not, a container asking for no limits
   * (`resources`, maybe not validated yet) goes on without a cgroup: then `record` changes and
   * this returns true.
   */
  create(resources: unknown): boolean;
  /** Places the spawned init (see CgroupManager.adopt): call the result before it goes on. */
  adopt(pid: number): () => void;
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

/** Errors that mean the caller may not make cgroups here, rather than that something broke. */
const DENIED = ["EACCES", "EPERM", "EROFS"];

/** Resolves the container's cgroup; `create` makes it. `systemd`: --systemd-cgroup, whose
 * driver (and D-Bus) only then loads. */
export async function openCgroup(
  id: string,
  cgroupsPath: string | undefined,
  rootless: boolean,
  systemd: boolean,
): Promise<ContainerCgroup> {
  const unit = systemd
    ? (await import("../cgroups/systemd/manager.ts")).SystemdManager.forContainer(id, cgroupsPath)
    : undefined;
  let manager: CgroupManager = unit ?? cgroupManager({ cgroupsPath, id });
  const fds: number[] = [];
  let into: number | undefined;
  return {
    get record(): CgroupRecord {
      if (unit) return unit.record;
      const none = manager instanceof NoCgroupManager ? { none: true as const } : {};
      return { layout: manager.layout, paths: manager.paths, ...none };
    },
    get manager() {
      return manager;
    },
    procsFds() {
      fds.push(...manager.openProcsFds());
      return fds;
    },
    cloneIntoFd() {
      into = manager.cloneIntoFd();
      return into;
    },
    closeFds() {
      for (const fd of fds.splice(0)) closeFd(fd);
      if (into !== undefined) closeFd(into);
      into = undefined;
    },
    create(resources) {
      try {
        manager.create();
        return false;
      } catch (e) {
        if (!rootless || unit || !(e instanceof CgroupError) || !DENIED.includes(e.errno ?? "")) {
          throw e;
        }
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
    adopt: (pid) => manager.adopt(pid),
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
