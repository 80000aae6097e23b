// Opening an existing container: its stored state, its live status and its cgroup.
import { Store, type StoredState } from "../state/store.ts";
import { deriveStatus, type Status } from "../state/status.ts";
import { type CgroupManager, reopenCgroup } from "../cgroups/mod.ts";

export interface Container {
  stored: StoredState;
  status: Status;
  cgroup(): CgroupManager;
}

export function loadContainer(store: Store, id: string): Container {
  const stored = store.read(id);
  let manager: CgroupManager | undefined;
  const cgroup = () => manager ??= reopenCgroup(id, stored.cgroup);
  const status = deriveStatus(stored, store.fifo(id), () => {
    try {
      return cgroup().freezerState() === "FROZEN";
    } catch {
      return false;
    }
  });
  return { stored, status, cgroup };
}

/** The OCI state JSON (runtime-spec state.md) plus runc's extra fields. */
export function ociState(s: StoredState, status: Status): Record<string, unknown> {
  return {
    ociVersion: s.ociVersion,
    id: s.id,
    pid: status === "stopped" ? 0 : s.pid,
    status,
    bundle: s.bundle,
    rootfs: s.rootfs,
    created: s.created,
    owner: "",
    annotations: s.annotations,
  };
}
