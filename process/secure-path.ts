// Paths inside the rootfs, resolved the way the container will see them: symlinks are followed
// but never lead out of the rootfs (absolute links restart at the rootfs, ".." stops there).
// resolveInRoot does it on strings (for readers such as `exec`'s lookPath); the *InRoot
// functions do it in the kernel with openat2(RESOLVE_IN_ROOT) and hand back O_PATH fds, so a
// symlink swapped in between the check and the mount cannot redirect a mount onto the host.
import { SyscallError } from "../syscalls/errors.ts";
import {
  check,
  cstr,
  libc,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_WRONLY,
} from "../syscalls/libc.ts";
import { closeFd } from "../syscalls/socket.ts";
import { EEXIST, ENOENT } from "../syscalls/errno.ts";
import { bytes, type SysArg, sysArgs } from "./sys-args.ts";

const ELOOP = 40;

export function resolveInRoot(root: string, path: string): string {
  let rest = path.split("/").filter((c) => c && c !== ".");
  const done: string[] = [];
  let links = 0;
  while (rest.length) {
    const c = rest.shift()!;
    if (c === "..") {
      done.pop();
      continue;
    }
    const full = `${root}/${[...done, c].join("/")}`;
    let isLink = false;
    try {
      isLink = Deno.lstatSync(full).isSymlink;
    } catch {
      // Missing: the rest is created literally by the caller.
    }
    if (!isLink) {
      done.push(c);
      continue;
    }
    if (++links > 40) throw new SyscallError("resolve", ELOOP, path);
    const target = Deno.readLinkSync(full);
    if (target.startsWith("/")) done.length = 0;
    rest = [...target.split("/").filter((x) => x && x !== "."), ...rest];
  }
  return done.length ? `${root}/${done.join("/")}` : root;
}

const RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;
export const AT_SYMLINK_NOFOLLOW = 0x100;

/** The path a mount call takes to mean "the file this fd is open on". */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** openat2(rootFd, path, RESOLVE_IN_ROOT): `path` as the container sees it (O_CLOEXEC added). */
export function openInRoot(rootFd: number, path: string, flags: number, mode = 0): number {
  const how = new BigUint64Array([
    BigInt(flags | O_CLOEXEC),
    BigInt(mode),
    BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
  ]);
  return Number(sysArgs("openat2", [rootFd, path || "/", bytes(how), how.byteLength], path));
}

function components(path: string): string[] {
  return path.split("/").filter((c) => c && c !== ".");
}

/** Creates every missing directory of `path` inside the root; returns an O_PATH fd on it. */
export function mkdirAllInRoot(rootFd: number, path: string, mode = 0o755): number {
  const parts = components(path);
  let fd = openInRoot(rootFd, "/", O_PATH | O_DIRECTORY);
  try {
    for (let i = 0; i < parts.length; i++) {
      const sub = "/" + parts.slice(0, i + 1).join("/");
      let next: number;
      try {
        next = openInRoot(rootFd, sub, O_PATH | O_DIRECTORY);
      } catch (e) {
        if (!(e instanceof SyscallError && e.errno === ENOENT)) throw e;
        // Created in the directory the prefix resolved to; EEXIST: someone was faster.
        atCall("mkdirat", [fd, parts[i], mode], sub, EEXIST);
        next = openInRoot(rootFd, sub, O_PATH | O_DIRECTORY);
      }
      closeFd(fd);
      fd = next;
    }
    return fd;
  } catch (e) {
    closeFd(fd);
    throw e;
  }
}

/** `path` split into its parent (created if missing, as an O_PATH fd) and its last name. */
export function parentInRoot(rootFd: number, path: string): { dirFd: number; name: string } {
  const parts = components(path);
  const name = parts.pop();
  if (!name || name === "..") throw new SyscallError("open", 22, path);
  return { dirFd: mkdirAllInRoot(rootFd, parts.join("/")), name };
}

/** Runs `fn` on the parent directory fd of `path`, closing it afterwards. */
export function inParent<T>(
  rootFd: number,
  path: string,
  fn: (dirFd: number, name: string) => T,
): T {
  const { dirFd, name } = parentInRoot(rootFd, path);
  try {
    return fn(dirFd, name);
  } finally {
    closeFd(dirFd);
  }
}

/** An empty regular file at `path` (never through a symlink); returns an O_PATH fd on it. */
export function createFileInRoot(rootFd: number, path: string, mode = 0o644): number {
  return inParent(rootFd, path, (dirFd, name) => {
    const flags = O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC;
    closeFd(check("openat", libc().openat(dirFd, cstr(name), flags, mode), path));
    return openInRoot(rootFd, path, O_PATH | O_NOFOLLOW);
  });
}

/** A raw *at syscall relative to a directory fd, for names (never paths) inside it. */
export function atCall(
  name: "mkdirat" | "mknodat" | "symlinkat" | "unlinkat" | "fchownat",
  args: readonly SysArg[],
  subject: string,
  okErrno?: number,
): void {
  try {
    sysArgs(name, args, subject);
  } catch (e) {
    if (!(okErrno !== undefined && e instanceof SyscallError && e.errno === okErrno)) throw e;
  }
}
