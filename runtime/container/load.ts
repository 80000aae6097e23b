// Opening an existing container with its cgroup, for the operations that act on it.
import type { Store } from "../state/store.ts";
import { type CgroupManager, reopenCgroup } from "../cgroups/mod.ts";
import { inspectContainer, type Inspected, liveInitPid } from "./inspect.ts";

export interface Container extends Inspected {
  cgroup(): CgroupManager;
  /** What cgroup() is given to find the container's processes. */
  initPid: number;
}

export function loadContainer(store: Store, id: string): Container {
  const c = inspectContainer(store, id);
  const initPid = liveInitPid(c);
  let manager: CgroupManager | undefined;
  return {
    ...c,
    initPid,
    cgroup: () => manager ??= reopenCgroup(id, c.stored.cgroup, { initPid }),
  };
}
