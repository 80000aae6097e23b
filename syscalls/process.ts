// prctl options and exec for the calling thread. Credentials are steps of
// process/credentials.ts, run as raw syscalls: glibc's set*id wrappers signal every Deno thread,
// while only the thread that calls execve matters for the new program.
import { check, cstr, libc } from "./libc.ts";
import { ptr } from "./mount.ts";

export const PR = {
  SET_PDEATHSIG: 1,
  SET_DUMPABLE: 4,
  SET_KEEPCAPS: 8,
  SET_NAME: 15,
  CAPBSET_READ: 23,
  CAPBSET_DROP: 24,
  SET_NO_NEW_PRIVS: 38,
  CAP_AMBIENT: 47,
  CAP_AMBIENT_RAISE: 2,
  CAP_AMBIENT_CLEAR_ALL: 4,
} as const;

export function prctl(option: number, arg2 = 0, arg3 = 0): void {
  check("prctl", libc().prctl(option, BigInt(arg2), BigInt(arg3), 0n, 0n), String(option));
}

/**
 * PR_SET_DUMPABLE 0 for the whole process: /proc/PID/exe, fd/, mem and ptrace then need
 * CAP_SYS_PTRACE over the process's user namespace. Inherited by fork, reset by execve.
 */
export function setNonDumpable(): void {
  prctl(PR.SET_DUMPABLE, 0);
}

/** Replaces the process image; returns only by throwing. */
export function execve(path: string, argv: readonly string[], env: readonly string[]): never {
  const keep: Uint8Array[] = [];
  const vec = (list: readonly string[]) => {
    const arr = new BigUint64Array(list.length + 1);
    list.forEach((s, i) => {
      const b = cstr(s);
      keep.push(b);
      arr[i] = ptr(b);
    });
    return new Uint8Array(arr.buffer);
  };
  check("execve", libc().execve(cstr(path), vec(argv), vec(env)), path);
  throw new Error("unreachable: execve returned success");
}
