// The container's cgroup as create needs it: made and configured before the init exists, joined
// by the init's spawn child before it execs anything, removed on failure or delete.
import type { Config } from "../../specs/schema/config.ts";
import { cgroupManager } from "../cgroups/mod.ts";
import type { CgroupManager } from "../cgroups/types.ts";
import { closeFd } from "../../syscalls/socket.ts";

export interface ContainerCgroup {
  /** The cgroupsPath the manager was made from, kept in the state to find it again. */
  path: string;
  manager: CgroupManager;
  procsFds(): number[];
  cloneIntoFd(): number | undefined;
  closeFds(): void;
  destroy(): void;
}

export function cgroupFor(id: string, cgroupsPath: string | undefined): CgroupManager {
  return cgroupManager({ cgroupsPath: cgroupsPath ?? "", id });
}

export function openCgroup(id: string, config: Config): ContainerCgroup {
  const path = config.linux?.cgroupsPath ?? "";
  const manager = cgroupFor(id, path);
  manager.create(config.linux?.resources);
  try {
    if (config.linux?.resources) manager.set(config.linux.resources);
  } catch (e) {
    manager.destroy();
    throw e;
  }
  const fds: number[] = [];
  let into: number | undefined;
  return {
    path,
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
    destroy: () => manager.destroy(),
  };
}
