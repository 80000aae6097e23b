// Facts about a host process read from /proc: is it alive, and is it the one we started; and a
// pidfd that surely names the one we started.
import { pidfdOpen } from "../../syscalls/pidfd.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { ESRCH } from "../../syscalls/errno.ts";
import { closeFd } from "../../syscalls/socket.ts";

/** Start time in clock ticks (field 22 of /proc/PID/stat), or undefined if gone or a zombie. */
export function processStart(pid: number): number | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  return Number(fields[19]);
}

export function isOurProcess(pid: number, start: number): boolean {
  return pid > 0 && processStart(pid) === start;
}

/**
 * A pidfd of the process `pid` started at `start`, or undefined once it is gone. Its start is
 * checked after the pidfd is open: a pidfd keeps naming the process it was opened on, so a pid
 * reused between an earlier look and the open is not taken for ours.
 */
export function ourPidfd(pid: number, start: number): number | undefined {
  let fd: number;
  try {
    fd = pidfdOpen(pid);
  } catch (e) {
    if (e instanceof SyscallError && e.errno === ESRCH) return undefined;
    throw e;
  }
  if (isOurProcess(pid, start)) return fd;
  closeFd(fd);
  return undefined;
}
