// A container's stored state and live status, without the cgroup manager: `state`, `list` and
// `start` need no more, and loading the whole cgroup layer costs each of them ~8 ms.
import type { Store, StoredState } from "../state/store.ts";
import { deriveStatus, type Status } from "../state/status.ts";
import { recordedFreezerState } from "../cgroups/freezer.ts";

export interface Inspected {
  stored: StoredState;
  status: Status;
}

export function inspectContainer(store: Store, id: string): Inspected {
  const stored = store.read(id);
  const status = deriveStatus(stored, () => store.hasFifo(id), () => {
    try {
      return recordedFreezerState(stored.cgroup) === "FROZEN";
    } catch {
      return false;
    }
  });
  return { stored, status };
}

/** What the cgroup manager is given to find the container's processes: a stopped container's
 * pid may be someone else's by now. */
export function liveInitPid(c: Inspected): number {
  return c.status === "stopped" ? 0 : c.stored.pid;
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
