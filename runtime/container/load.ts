// Opening an existing container with its cgroup, for the operations that act on it.
import type { Store } from "../state/store.ts";
import { type CgroupManager, reopenCgroup } from "../cgroups/mod.ts";
import { inspectContainer, type Inspected } from "./inspect.ts";

export interface Container extends Inspected {
  cgroup(): CgroupManager;
}

export function loadContainer(store: Store, id: string): Container {
  const c = inspectContainer(store, id);
  let manager: CgroupManager | undefined;
  return {
    ...c,
    cgroup: () =>
      manager ??= reopenCgroup(id, c.stored.cgroup, {
        // A stopped container's pid may be someone else's by now.
        initPid: c.status === "stopped" ? 0 : c.stored.pid,
      }),
  };
}
