// Unmounting what a runtime.json mounted on the host, for create's undo and for `delete`. A mount
// inside the rootfs is found again through the rootfs (openat2 RESOLVE_IN_ROOT), never by its
// host path: the container may have put a symlink on that path by then, and a path followed
// out of the rootfs could unmount one of the host's own mounts.
import type { RecordedMount, Store } from "../state/store.ts";
import { MNT_DETACH, umount2 } from "../../syscalls/mount.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { EINVAL } from "../../syscalls/errno.ts";
import { fdPath, openInRoot } from "../../process/secure-path.ts";

export function unmount(m: RecordedMount): void {
  if (m.root === undefined) return umount2(m.path, MNT_DETACH);
  const root = openFd(m.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  try {
    const fd = openInRoot(root, m.path, O_PATH);
    try {
      umount2(fdPath(fd), MNT_DETACH);
    } finally {
      closeFd(fd);
    }
  } finally {
    closeFd(root);
  }
}

/**
 * The mounts recorded in the container's state, last first. Its bindNS mounts are not among
 * them: they are there for other containers to join, so they outlive this one.
 */
export function unmountRecorded(store: Store, id: string, warn: (m: string) => void): void {
  for (const m of store.runtimeMounts(id).reverse()) {
    try {
      unmount(m);
    } catch (e) {
      // Unmounted already (by hand); anything else is said, a path gone missing included (the
      // container may have moved it: then its mount stays, rather than a host mount going).
      const gone = e instanceof SyscallError && e.errno === EINVAL;
      const where = m.root === undefined ? m.path : `${m.root}${m.path}`;
      if (!gone) warn(`runtime.json mount ${where}: ${(e as Error).message}`);
    }
  }
}
