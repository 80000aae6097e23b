// What a filter returns for each runtime-spec action (SECCOMP_RET_* in linux/seccomp.h), and
// the filter flags, as libseccomp and runc map them.

const EPERM = 1;
const ENOSYS = 38;

const RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

/** The kill action for an architecture the filter was not built for (libseccomp's default). */
export const RET_BAD_ARCH = RET.KILL_THREAD;

/** SECCOMP_RET_ERRNO with ENOSYS: what a syscall newer than the profile gets. */
export const RET_ENOSYS = RET.ERRNO | ENOSYS;

/**
 * The filter's return value for `action`. ERRNO and TRACE carry a 16-bit datum (the errno, or
 * the tracer's message), EPERM unless `errnoRet` says otherwise, as runc does. SCMP_ACT_KILL is
 * libseccomp's name for killing the thread.
 */
export function actionValue(action: string, errnoRet?: number): number {
  const datum = (errnoRet ?? EPERM) & 0xffff;
  switch (action) {
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD":
      return RET.KILL_THREAD;
    case "SCMP_ACT_KILL_PROCESS":
      return RET.KILL_PROCESS;
    case "SCMP_ACT_TRAP":
      return RET.TRAP;
    case "SCMP_ACT_ERRNO":
      return (RET.ERRNO | datum) >>> 0;
    case "SCMP_ACT_TRACE":
      return (RET.TRACE | datum) >>> 0;
    case "SCMP_ACT_LOG":
      return RET.LOG;
    case "SCMP_ACT_ALLOW":
      return RET.ALLOW;
    case "SCMP_ACT_NOTIFY":
      return RET.USER_NOTIF;
  }
  throw new Error(`seccomp: unknown action ${action}`);
}

/** Actions under which an unknown syscall may as well run: no -ENOSYS stub for them (runc). */
export function isPermissive(ret: number): boolean {
  return ret === RET.ALLOW || ret === RET.LOG || (ret & 0xffff0000) === RET.TRACE;
}

export const FILTER_FLAG = {
  TSYNC: 1,
  LOG: 2,
  SPEC_ALLOW: 4,
  NEW_LISTENER: 8,
  WAIT_KILLABLE_RECV: 32,
} as const;
