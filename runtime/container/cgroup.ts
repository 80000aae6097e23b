// The container's cgroup as create needs it: resolved and recorded with the claim, made before
// the init exists and joined by the init's spawn child before it execs anything; limited once
// the init has finished its own setup; removed on failure or delete.
import type { LinuxResources } from "../../specs/resources.ts";
import { cgroupManager, type CgroupRecord } from "../cgroups/mod.ts";
import type { CgroupManager } from "../cgroups/types.ts";
import { closeFd } from "../../syscalls/socket.ts";

export interface ContainerCgroup {
  /** Where the cgroup is, kept in the state so later commands reopen exactly it. */
  record: CgroupRecord;
  manager: CgroupManager;
  procsFds(): number[];
  cloneIntoFd(): number | undefined;
  closeFds(): void;
  /** Makes the directories. */
  create(): void;
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

/** Resolves the container's cgroup; `create` makes it. */
export function openCgroup(id: string, cgroupsPath: string | undefined): ContainerCgroup {
  const manager = cgroupManager({ cgroupsPath, id });
  const fds: number[] = [];
  let into: number | undefined;
  return {
    record: { layout: manager.layout, paths: manager.paths },
    manager,
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
    create: () => manager.create(),
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
