// Mount-related calls and flags.
import { check, cstr, libc, sys } from "./libc.ts";
import { syscallNr } from "./nr.ts";

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  SYNCHRONOUS: 16,
  REMOUNT: 32,
  MANDLOCK: 64,
  DIRSYNC: 128,
  NOSYMFOLLOW: 256,
  NOATIME: 1024,
  NODIRATIME: 2048,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  SILENT: 32768,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  RELATIME: 1 << 21,
  I_VERSION: 1 << 23,
  STRICTATIME: 1 << 24,
  LAZYTIME: 1 << 25,
} as const;

export const MNT_DETACH = 2;

const NUL = new Uint8Array(1);

export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: number,
  data: string | null,
): void {
  check(
    "mount",
    libc().mount(
      source === null ? NUL : cstr(source),
      cstr(target),
      fstype === null ? NUL : cstr(fstype),
      BigInt(flags),
      data === null || data === "" ? null : cstr(data),
    ),
    target,
  );
}

export function umount2(target: string, flags: number): void {
  check("umount2", libc().umount2(cstr(target), flags), target);
}

export function pivotRoot(newRoot: string, putOld: string): void {
  const a = cstr(newRoot), b = cstr(putOld);
  sys("pivot_root", syscallNr("pivot_root"), [ptr(a), ptr(b)], newRoot);
}

export function ptr(buf: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}
