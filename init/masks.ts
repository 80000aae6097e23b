// linux.readonlyPaths and linux.maskedPaths, applied inside the new root, and the stdio that
// pointed at the host's /dev/null moved onto the container's. Missing paths are skipped.
import { check, libc, O_CLOEXEC, O_RDWR, openFd } from "../syscalls/libc.ts";
import { mount, MS } from "../syscalls/mount.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { ENOENT } from "../syscalls/errno.ts";
import { mountFlagsOf } from "./remount.ts";
import { closeFd } from "../syscalls/socket.ts";

/** The device number of /dev/null (1:3). */
const NULL_RDEV = 0x103;

function isNullDevice(path: string): boolean {
  try {
    const st = Deno.statSync(path);
    return st.isCharDevice === true && st.rdev === NULL_RDEV;
  } catch {
    return false;
  }
}

/** A read-only bind of the path onto itself, keeping nosuid, nodev and noexec. */
export function readonlyPath(path: string): void {
  try {
    mount(path, path, null, MS.BIND | MS.REC, null);
  } catch (e) {
    if (e instanceof SyscallError && e.errno === ENOENT) return;
    throw e;
  }
  const keep = mountFlagsOf(path) & (MS.NOSUID | MS.NODEV | MS.NOEXEC);
  mount(null, path, null, keep | MS.BIND | MS.REMOUNT | MS.RDONLY, null);
}

/** Files get /dev/null bound over them, directories an empty read-only tmpfs. */
export function maskPath(path: string): void {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (st.isDirectory) return mount("tmpfs", path, "tmpfs", MS.RDONLY, null);
  // Only a real null device may stand in for a masked file.
  if (!isNullDevice("/dev/null")) {
    throw new Error(`masking ${path}: /dev/null is not the null device`);
  }
  mount("/dev/null", path, null, MS.BIND, null);
}

/** Stdio open on the host's /dev/null is reopened on the container's, as runc does. */
export function reopenDevNull(): void {
  if (!isNullDevice("/dev/null")) return;
  const fd = openFd("/dev/null", O_RDWR | O_CLOEXEC);
  try {
    for (const std of [0, 1, 2]) {
      // Closed stdio, or no /proc in the container, read as "not the null device".
      if (isNullDevice(`/proc/self/fd/${std}`)) {
        check("dup3", libc().dup3(fd, std, 0), `fd ${std}`);
      }
    }
  } finally {
    closeFd(fd);
  }
}
