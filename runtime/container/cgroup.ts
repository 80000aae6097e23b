// The container's cgroup as create needs it: made before the init exists and joined by the
// init's spawn child before it execs anything; configured once the config is validated;
// removed on failure or delete.
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
  /** Applies the validated resources. */
  apply(resources: LinuxResources | undefined): void;
  destroy(): void;
}

export function openCgroup(id: string, cgroupsPath: string | undefined): ContainerCgroup {
  const manager = cgroupManager({ cgroupsPath, id });
  manager.create();
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
    apply(resources) {
      if (resources) manager.set(resources);
    },
    destroy: () => manager.destroy(),
  };
}
