// A copy of a file that nobody can reopen for writing: what tsrun executes inside a container's
// namespaces, where /proc/PID/exe would otherwise hand the container a writable handle on the
// host's binary (CVE-2019-5736). As crun and runc ≥ 1.2 do, the first choice is a detached
// read-only bind mount of the file: attached in no mount namespace, gone with its last fd, and
// nearly free. Where mounts are not allowed, a sealed memfd copy (costs a full copy).
import {
  AT_EMPTY_PATH,
  AT_FDCWD,
  check,
  cstr,
  libc,
  O_CLOEXEC,
  O_RDONLY,
  openFd,
  sys,
} from "./libc.ts";
import { ptr } from "./mount.ts";
import { syscallNr } from "./nr.ts";
import { SyscallError } from "./errors.ts";

export interface SealedFile {
  /** O_CLOEXEC; an O_PATH fd for a mount, a regular one for a memfd. */
  fd: number;
  how: "mount" | "memfd";
}

const OPEN_TREE_CLONE = 1;
const MOUNT_ATTR_RDONLY = 1, MOUNT_ATTR_NOSUID = 2, MOUNT_ATTR_NODEV = 4;
const MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_EXEC = 0x10;
const F_ADD_SEALS = 1033;
const F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
const F_SEAL_FUTURE_WRITE = 0x10;

export function sealFile(path: string): SealedFile {
  try {
    return { fd: readOnlyMount(path), how: "mount" };
  } catch (e) {
    // EPERM without CAP_SYS_ADMIN over the mount namespace, ENOSYS before 5.12.
    if (!(e instanceof SyscallError)) throw e;
    return { fd: sealedMemfd(path), how: "memfd" };
  }
}

/** A detached read-only, nosuid, nodev bind mount of `path` alone. */
export function readOnlyMount(path: string): number {
  const p = cstr(path);
  const fd = Number(
    sys("open_tree", syscallNr("open_tree"), [AT_FDCWD, ptr(p), OPEN_TREE_CLONE | O_CLOEXEC], path),
  );
  try {
    // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
    const attr = new BigUint64Array([
      BigInt(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV),
      0n,
      0n,
      0n,
    ]);
    const empty = cstr("");
    const at = new Uint8Array(attr.buffer);
    sys("mount_setattr", syscallNr("mount_setattr"), [
      fd,
      ptr(empty),
      AT_EMPTY_PATH,
      ptr(at),
      at.byteLength,
    ], path);
    return fd;
  } catch (e) {
    libc().close(fd);
    throw e;
  }
}

/** A memfd copy of `path` sealed against every change, executable. */
export function sealedMemfd(path: string): number {
  const name = cstr(`tsrun:${path.slice(path.lastIndexOf("/") + 1)}`);
  const create = (flags: number) =>
    Number(sys("memfd_create", syscallNr("memfd_create"), [ptr(name), flags], path));
  const base = MFD_CLOEXEC | MFD_ALLOW_SEALING;
  let fd: number;
  try {
    // With vm.memfd_noexec=1 a memfd is executable only when asked; kernels before 6.3 refuse
    // the flag.
    fd = create(base | MFD_EXEC);
  } catch {
    fd = create(base);
  }
  try {
    const src = openFd(path, O_RDONLY | O_CLOEXEC);
    try {
      // sendfile(2) copies in the kernel, at most ~2 GiB a call, 0 at the end.
      while (sys("sendfile", syscallNr("sendfile"), [fd, src, 0, 1 << 30], path) > 0n) {
        /* more */
      }
    } finally {
      libc().close(src);
    }
    const seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
    check("fcntl", libc().fcntl(fd, F_ADD_SEALS, BigInt(seals)), `seal ${path}`);
    return fd;
  } catch (e) {
    libc().close(fd);
    throw e;
  }
}
