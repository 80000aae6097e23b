// Changing the flags of mounts that exist: bind remounts (keeping the flags a less privileged
// user namespace may not clear), read-only remounts, and mount_setattr's recursive attributes.
import { mount, MS } from "../syscalls/mount.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { EBUSY } from "../syscalls/errno.ts";
import { ATIME_FLAGS, LOCKED_FLAGS, statfsToMountFlags } from "./mount-options.ts";
import { bytes, sysArgs } from "../process/sys-args.ts";

const EPERM = 1, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;

/** statfs(2) of `path`: the filesystem's magic number and the mount's ST_* flags. */
export function statfs(path: string): { type: number; flags: number } {
  const buf = new BigUint64Array(15); // struct statfs: 15 words on x86_64 and aarch64
  sysArgs("statfs", [path, bytes(buf)], path);
  return { type: Number(buf[0]), flags: Number(buf[10]) };
}

/** The MS_* flags of the mount at `path`. */
export function mountFlagsOf(path: string): number {
  return statfsToMountFlags(statfs(path).flags);
}

/**
 * Remounts a bind mount with `flags`. Where the mount inherited locked flags (a user namespace
 * may not clear nosuid, nodev... a more privileged one set), retries with those kept, unless the
 * options asked to clear one (then nothing would match the request).
 */
export function remountBind(path: string, flags: number, cleared = 0): void {
  const want = (flags & ~MS.REC) | MS.BIND | MS.REMOUNT;
  try {
    return mount(null, path, null, want, null);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === EPERM)) throw e;
    const locked = mountFlagsOf(path) & LOCKED_FLAGS;
    if (locked & cleared) {
      throw new Error(
        `${e.message}: cannot clear locked mount flags 0x${(locked & cleared).toString(16)}`,
      );
    }
    if (flags & ATIME_FLAGS && (flags & ATIME_FLAGS) !== (locked & ATIME_FLAGS)) {
      throw new Error(`${e.message}: cannot change the locked atime flags`);
    }
    mount(null, path, null, want | locked, null);
  }
}

/** Makes a mount read-only, keeping `flags`; retries EBUSY (a mount still settling). */
export function remountReadonly(path: string, flags: number): void {
  for (let i = 0;; i++) {
    try {
      return mount(null, path, null, flags | MS.REMOUNT | MS.BIND | MS.RDONLY, null);
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === EBUSY) || i === 4) throw e;
    }
  }
}

/** mount_setattr(2) on the mount open at `fd` and everything below it. */
export function setRecursiveAttrs(fd: number, clear: number, set: number, subject: string): void {
  // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
  const attr = new BigUint64Array([BigInt(set), BigInt(clear), 0n, 0n]);
  sysArgs(
    "mount_setattr",
    [fd, "", AT_EMPTY_PATH | AT_RECURSIVE, bytes(attr), attr.byteLength],
    subject,
  );
}
