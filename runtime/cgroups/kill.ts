// Signalling every process of a cgroup without cgroup.kill.
import { errno, libc } from "../../syscalls/libc.ts";
import { ESRCH } from "../../syscalls/errno.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import type { CgroupManager } from "./types.ts";

/** Freezes first (when the host can) so no process forks a child that escapes the signal,
 * signals each pid, then thaws so a SIGKILLed process can actually die. A process that exits
 * meanwhile is fine. */
export function signalEach(m: CgroupManager, signal: number): void {
  let frozen = false;
  try {
    m.freeze();
    frozen = true;
  } catch {
    // No freezer here: signal without it, as runc does.
  }
  try {
    for (const pid of m.pids(true)) {
      if (libc().kill(pid, signal) === -1) {
        const e = errno();
        if (e !== ESRCH) throw new SyscallError("kill", e, String(pid));
      }
    }
  } finally {
    if (frozen) m.thaw();
  }
}
