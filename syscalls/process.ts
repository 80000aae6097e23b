// Credentials, capabilities, limits and exec for the calling thread. Raw syscalls on purpose:
// glibc's set*id wrappers signal every Deno thread, while only the thread that calls execve
// matters for the new program.
import { check, cstr, libc, sys } from "./libc.ts";
import { syscallNr } from "./nr.ts";
import { ptr } from "./mount.ts";

export const PR = {
  SET_PDEATHSIG: 1,
  SET_DUMPABLE: 4,
  SET_KEEPCAPS: 8,
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

export function setresuid(uid: number): void {
  sys("setresuid", syscallNr("setresuid"), [uid, uid, uid], `uid ${uid}`);
}

export function setresgid(gid: number): void {
  sys("setresgid", syscallNr("setresgid"), [gid, gid, gid], `gid ${gid}`);
}

export function setgroups(gids: readonly number[]): void {
  const list = new Uint32Array(gids.length || 1);
  list.set(gids);
  sys("setgroups", syscallNr("setgroups"), [gids.length, ptr(new Uint8Array(list.buffer))]);
}

/** capset(2) version 3 for the calling thread. */
export function capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
  const header = new Uint32Array([0x20080522, 0]);
  const lo = (m: bigint) => Number(m & 0xffffffffn), hi = (m: bigint) => Number(m >> 32n);
  const data = new Uint32Array([
    lo(effective),
    lo(permitted),
    lo(inheritable),
    hi(effective),
    hi(permitted),
    hi(inheritable),
  ]);
  sys("capset", syscallNr("capset"), [
    ptr(new Uint8Array(header.buffer)),
    ptr(new Uint8Array(data.buffer)),
  ]);
}

export function setrlimit(resource: number, soft: bigint, hard: bigint, name: string): void {
  const lim = new BigUint64Array([soft, hard]);
  check("prlimit", libc().prlimit(0, resource, new Uint8Array(lim.buffer), null), name);
}

export function closeRangeCloexec(first: number): void {
  const CLOSE_RANGE_CLOEXEC = 4;
  sys("close_range", syscallNr("close_range"), [first, 0xffffffff, CLOSE_RANGE_CLOEXEC]);
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
