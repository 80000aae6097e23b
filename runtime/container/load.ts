// Opening an existing container with its cgroup, for the operations that act on it.
import type { Store } from "../state/store.ts";
import { type CgroupManager, reopenCgroup, reopenDriver } from "../cgroups/mod.ts";
import { inspectContainer, type Inspected } from "./inspect.ts";

export interface Container extends Inspected {
  cgroup(): CgroupManager;
  /** cgroup(), with the systemd driver when it made the cgroup: to change or remove it. */
  cgroupDriver(): Promise<CgroupManager>;
}

export function loadContainer(store: Store, id: string): Container {
  const c = inspectContainer(store, id);
  // A stopped container's pid may be someone else's by now.
  const o = { initPid: c.status === "stopped" ? 0 : c.stored.pid };
  let manager: CgroupManager | undefined;
  return {
    ...c,
    cgroup: () => manager ??= reopenCgroup(id, c.stored.cgroup, o),
    cgroupDriver: async () => manager = await reopenDriver(id, c.stored.cgroup, o),
  };
}
