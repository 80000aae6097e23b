// The manager of a recorded cgroup with its driver: systemd's, when it made the cgroup, must be
// told when the cgroup changes or goes. Only the commands that change or remove a cgroup (update,
// delete) use this, so only they carry the systemd driver (loaded only when it is needed). Also
// the cgroups part (runtime/parts.ts) that kill and delete load when they need a manager.
import { type CgroupRecord, type HostOptions, reopenCgroup } from "./mod.ts";
import type { CgroupManager } from "./types.ts";
import { systemd } from "../parts.ts";

export { cgroupOfProcess, reopenCgroup } from "./mod.ts";

/** reopenCgroup, with systemd in the loop when the record is of its scope. */
export async function reopenDriver(
  id: string,
  saved: CgroupRecord,
  o: HostOptions & { initPid?: number } = {},
): Promise<CgroupManager> {
  const files = reopenCgroup(id, saved, o);
  if (typeof saved.systemd?.unit !== "string") return files;
  const { SystemdManager } = await systemd();
  return SystemdManager.reopen(files, saved.systemd.unit, id);
}
