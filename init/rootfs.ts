// Carries out the rootfs plan (init/plan.ts) inside the container's mount namespace. Before the
// root switch every target is opened inside the rootfs with openat2(RESOLVE_IN_ROOT) and
// mounted on through /proc/self/fd, so symlinks in the rootfs can never send a mount (or a
// device node) onto the host; after it, plain paths resolve in the container's root anyway.
import {
  check,
  cstr,
  libc,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  O_RDONLY,
  openFd,
  sys,
} from "../syscalls/libc.ts";
import { MNT_DETACH, mount, MS, pivotRoot, ptr, umount2 } from "../syscalls/mount.ts";
import { syscallNr } from "../syscalls/nr.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { EBUSY, EEXIST, ENOENT } from "../syscalls/errno.ts";
import { ATIME_FLAGS, LOCKED_FLAGS, statfsToMountFlags } from "./mount-options.ts";
import type { DeviceStep, HookPhase, MountStep, SetupStep } from "./plan.ts";
import {
  AT_SYMLINK_NOFOLLOW,
  atCall,
  closeFd,
  createFileInRoot,
  fdPath,
  inParent,
  mkdirAllInRoot,
  openInRoot,
} from "./secure-path.ts";
import { mountCgroups } from "./cgroup-mount.ts";
import { copyUp } from "./copy-up.ts";
import { idmappedMount } from "./idmap-mount.ts";
import { checkProcMount } from "./proc-mount.ts";

export interface RootfsContext {
  rootfs: string;
  /** Inside a new user namespace mknod is not allowed: devices are bind-mounted from the host. */
  userns: boolean;
  cgroupns: boolean;
  runHooks(phase: HookPhase): Promise<void> | void;
}

const O_NOFOLLOW = 0o400000, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000, EPERM = 1;

/** statfs(2) f_flags of the filesystem (and mount) at `path`. */
function statfsFlags(path: string): number {
  const buf = new BigUint64Array(15); // struct statfs: 15 words on x86_64 and aarch64
  sys("statfs", syscallNr("statfs"), [ptr(cstr(path)), ptr(new Uint8Array(buf.buffer))], path);
  return Number(buf[10]); // f_flags
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (e) {
    throw new Error(`bind source ${path}: ${(e as Error).message}`);
  }
}

/**
 * Remounts a bind mount with `flags`. Where the mount inherited locked flags (a user namespace
 * may not clear nosuid, nodev... a more privileged one set), retries with those kept, unless the
 * options asked to clear one (then nothing would match the request).
 */
function remountBind(path: string, flags: number, cleared = 0): void {
  const want = (flags & ~MS.REC) | MS.BIND | MS.REMOUNT;
  try {
    return mount(null, path, null, want, null);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === EPERM)) throw e;
    const locked = statfsToMountFlags(statfsFlags(path)) & LOCKED_FLAGS;
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

function setRecursiveAttrs(fd: number, clear: number, set: number, subject: string): void {
  // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
  const attr = new BigUint64Array([BigInt(set), BigInt(clear), 0n, 0n]);
  sys("mount_setattr", syscallNr("mount_setattr"), [
    fd,
    ptr(cstr("")),
    AT_EMPTY_PATH | AT_RECURSIVE,
    ptr(new Uint8Array(attr.buffer)),
    attr.byteLength,
  ], subject);
}

class Rootfs {
  #rootFd: number;
  constructor(readonly ctx: RootfsContext) {
    this.#rootFd = openFd(ctx.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  }

  /** The rootfs bound onto itself: a mount of its own, which pivot_root needs. */
  bindRootfs(): void {
    const { rootfs } = this.ctx;
    mount(rootfs, rootfs, null, MS.BIND | MS.REC, null);
    this.close();
    this.#rootFd = openFd(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  }

  get rootFd(): number {
    if (this.#rootFd < 0) throw new Error("rootfs: used after the root switch");
    return this.#rootFd;
  }

  /** The mount point, created (a file for file binds, else a directory) when missing. */
  #target(step: MountStep): { fd: number; existed: boolean } {
    try {
      return { fd: openInRoot(this.rootFd, step.destination, O_PATH), existed: true };
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === ENOENT)) throw e;
    }
    const file = step.bind && !isDir(step.source);
    const fd = file
      ? createFileInRoot(this.rootFd, step.destination)
      : mkdirAllInRoot(this.rootFd, step.destination);
    return { fd, existed: false };
  }

  /** The real path of an fd opened inside the rootfs, checked to be inside and not the root. */
  #realPath(fd: number, destination: string): string {
    const real = Deno.readLinkSync(fdPath(fd));
    const { rootfs } = this.ctx;
    if (!real.startsWith(rootfs + "/")) {
      throw new Error(`mount destination ${destination} resolves to ${real}, outside the rootfs`);
    }
    return real.slice(rootfs.length);
  }

  mount(step: MountStep): void {
    const kind = step.bind ? "bind" : step.type;
    if (kind === "proc" || kind === "sysfs") {
      // Mounted on a real directory only: never through a symlink planted in the rootfs.
      try {
        if (!Deno.lstatSync(`${this.ctx.rootfs}${step.destination}`).isDirectory) {
          throw new Error(`${kind} must be mounted on an ordinary directory`);
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    const { fd, existed } = this.#target(step);
    try {
      const inside = this.#realPath(fd, step.destination);
      if (inside === "") throw new Error(`mount destination ${step.destination} is the rootfs`);
      checkProcMount(inside, step, step.bind ? statfsType(step.source) : undefined);
      this.#mountOn(step, fd, existed);
    } finally {
      closeFd(fd);
    }
    // The fd still points under the new mount: reopen to reach the mount itself.
    const top = openInRoot(this.rootFd, step.destination, O_PATH | O_NOFOLLOW);
    try {
      const { options } = step;
      if (step.bind && (options.flags & ~(MS.BIND | MS.REC | MS.REMOUNT) || options.cleared)) {
        remountBind(fdPath(top), options.flags, options.cleared);
      }
      for (const p of options.propagation) mount(null, fdPath(top), null, p, null);
      if (options.attrSet || options.attrClear) {
        setRecursiveAttrs(top, options.attrClear, options.attrSet, step.destination);
      }
    } finally {
      closeFd(top);
    }
  }

  #mountOn(step: MountStep, fd: number, existed: boolean): void {
    const target = fdPath(fd);
    const { options } = step;
    if (step.type === "cgroup" || step.type === "cgroup2") {
      const reopen = () => openInRoot(this.rootFd, step.destination, O_PATH | O_NOFOLLOW);
      const v2only = step.type === "cgroup2";
      return mountCgroups(target, reopen, options.flags, this.ctx.cgroupns, v2only);
    }
    if (step.idmap) {
      return idmappedMount(step, fd);
    }
    if (step.bind) {
      return mount(step.source, target, null, options.flags & (MS.BIND | MS.REC), null);
    }
    let data = options.data;
    if (step.type === "tmpfs" && existed) {
      // As runc: a tmpfs takes the mode of the directory it covers unless told otherwise.
      const mode = (Deno.statSync(target).mode ?? 0o755) & 0o7777;
      data = [`mode=${mode.toString(8).padStart(4, "0")}`, data].filter(Boolean).join(",");
    }
    const flags = step.delayReadonly ? options.flags & ~MS.RDONLY : options.flags;
    // Opened before the mount covers it: the tmpfs's first contents (tmpcopyup).
    const covered = options.tmpcopyup && existed
      ? openInRoot(this.rootFd, step.destination, O_RDONLY | O_DIRECTORY)
      : undefined;
    try {
      mount(step.source || step.type, target, step.type, flags, data);
      if (covered !== undefined) {
        const top = openInRoot(this.rootFd, step.destination, O_PATH | O_NOFOLLOW);
        try {
          copyUp(fdPath(covered), fdPath(top));
        } finally {
          closeFd(top);
        }
      }
    } finally {
      if (covered !== undefined) closeFd(covered);
    }
  }

  device(d: DeviceStep): void {
    inParent(this.rootFd, d.path, (dirFd, name) => {
      if (this.ctx.userns && d.type !== "p") return this.#bindDevice(dirFd, name, d);
      const fmt = d.type === "b" ? S_IFBLK : d.type === "p" ? S_IFIFO : S_IFCHR;
      try {
        atCall("mknodat", [dirFd, ptr(cstr(name)), fmt | (d.mode & 0o7777), makedev(d)], d.path);
      } catch (e) {
        if (e instanceof SyscallError && e.errno === EEXIST) return; // as runc: keep it
        if (e instanceof SyscallError && e.errno === EPERM) return this.#bindDevice(dirFd, name, d);
        throw e;
      }
      atCall("fchownat", [dirFd, ptr(cstr(name)), d.uid, d.gid, AT_SYMLINK_NOFOLLOW], d.path);
    });
  }

  /** Where mknod is not allowed, the host's node is bind-mounted onto an empty file. */
  #bindDevice(dirFd: number, name: string, d: DeviceStep): void {
    const O_CREAT = 0o100, O_WRONLY = 1;
    const flags = O_CREAT | O_NOFOLLOW | O_WRONLY | O_CLOEXEC;
    const fd = check("openat", libc().openat(dirFd, cstr(name), flags, 0), d.path);
    try {
      mount(d.path, fdPath(fd), null, MS.BIND, null);
    } finally {
      closeFd(fd);
    }
  }

  symlink(target: string, path: string): void {
    inParent(this.rootFd, path, (dirFd, name) => {
      atCall("symlinkat", [ptr(cstr(target)), dirFd, ptr(cstr(name))], path, EEXIST);
    });
  }

  ptmx(): void {
    inParent(this.rootFd, "/dev/ptmx", (dirFd, name) => {
      atCall("unlinkat", [dirFd, ptr(cstr(name)), 0], "/dev/ptmx", ENOENT);
      atCall("symlinkat", [ptr(cstr("pts/ptmx")), dirFd, ptr(cstr(name))], "/dev/ptmx");
    });
  }

  pivot(): void {
    const oldRoot = openFd("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    try {
      check("fchdir", libc().fchdir(this.rootFd), this.ctx.rootfs);
      pivotRoot(".", ".");
      check("fchdir", libc().fchdir(oldRoot), "old root");
      // The old root is stacked under the new one: detach it without telling the host.
      mount(null, ".", null, MS.SLAVE | MS.REC, null);
      umount2(".", MNT_DETACH);
      check("chdir", libc().chdir(cstr("/")), "/");
    } finally {
      closeFd(oldRoot);
      this.close();
    }
  }

  /** --no-pivot: the rootfs moved over / and chrooted into (a mount namespace's root). */
  moveRoot(): void {
    check("fchdir", libc().fchdir(this.rootFd), this.ctx.rootfs);
    mount(this.ctx.rootfs, "/", null, MS.MOVE, null);
    this.chroot();
  }

  chroot(): void {
    check("fchdir", libc().fchdir(this.rootFd), this.ctx.rootfs);
    check("chroot", libc().chroot(cstr(".")), this.ctx.rootfs);
    check("chdir", libc().chdir(cstr("/")), "/");
    this.close();
  }

  close(): void {
    if (this.#rootFd >= 0) closeFd(this.#rootFd);
    this.#rootFd = -1;
  }
}

function statfsType(path: string): number | undefined {
  const buf = new BigUint64Array(15);
  try {
    sys("statfs", syscallNr("statfs"), [ptr(cstr(path)), ptr(new Uint8Array(buf.buffer))], path);
  } catch {
    return undefined;
  }
  return Number(buf[0]);
}

function makedev(d: DeviceStep): bigint {
  const ma = BigInt(d.major), mi = BigInt(d.minor);
  return ((ma & 0xfffn) << 8n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n) |
    ((ma & ~0xfffn) << 32n);
}

const S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000;

function isDevNull(path: string): boolean {
  const st = Deno.statSync(path);
  return st.isCharDevice === true &&
    st.rdev === Number(makedev({ major: 1, minor: 3 } as DeviceStep));
}

/** Retries EBUSY a few times: a remount races with a mount still being set up. */
function remountReadonly(path: string, flags: number): void {
  for (let i = 0;; i++) {
    try {
      return mount(null, path, null, flags | MS.REMOUNT | MS.BIND | MS.RDONLY, null);
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === EBUSY) || i === 4) throw e;
    }
  }
}

function readonlyPath(path: string): void {
  try {
    mount(path, path, null, MS.BIND | MS.REC, null);
  } catch (e) {
    if (e instanceof SyscallError && e.errno === ENOENT) return;
    throw e;
  }
  const keep = statfsToMountFlags(statfsFlags(path)) & (MS.NOSUID | MS.NODEV | MS.NOEXEC);
  mount(null, path, null, keep | MS.BIND | MS.REMOUNT | MS.RDONLY, null);
}

function maskPath(path: string): void {
  let st: Deno.FileInfo;
  try {
    st = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (st.isDirectory) return mount("tmpfs", path, "tmpfs", MS.RDONLY, null);
  // Only a real /dev/null may stand in for a masked file.
  if (!isDevNull("/dev/null")) throw new Error(`masking ${path}: /dev/null is not the null device`);
  mount("/dev/null", path, null, MS.BIND, null);
}

function reopenDevNull(): void {
  if (!isDevNull("/dev/null")) return;
  const fd = openFd("/dev/null", 2 | O_CLOEXEC);
  try {
    for (const std of [0, 1, 2]) {
      let st: Deno.FileInfo;
      try {
        st = Deno.statSync(`/proc/self/fd/${std}`);
      } catch {
        continue; // closed, or no /proc in the container
      }
      if (st.isCharDevice && st.rdev === Number(makedev({ major: 1, minor: 3 } as DeviceStep))) {
        check("dup3", libc().dup3(fd, std, 0), `fd ${std}`);
      }
    }
  } finally {
    closeFd(fd);
  }
}

/** Runs the plan's steps in order. */
export async function setupRootfs(steps: SetupStep[], ctx: RootfsContext): Promise<void> {
  const root = new Rootfs(ctx);
  try {
    for (const step of steps) await runStep(step, root);
  } finally {
    root.close();
  }
}

function runStep(step: SetupStep, root: Rootfs): Promise<void> | void {
  const { ctx } = root;
  switch (step.op) {
    case "propagation":
      return mount(null, "/", null, step.flags, null);
    case "bind-rootfs":
      return root.bindRootfs();
    case "mount":
      try {
        return root.mount(step);
      } catch (e) {
        const what = step.bind ? step.source : step.type;
        throw new Error(
          `mounting ${what} on ${step.destination} (/mounts/${step.index}): ${
            (e as Error).message
          }`,
        );
      }
    case "device":
      return root.device(step);
    case "ptmx":
      return root.ptmx();
    case "symlink":
      if (step.when && !exists(step.when)) return;
      return root.symlink(step.target, step.path);
    case "hooks":
      // runc runs createContainer hooks from inside the rootfs.
      if (step.phase === "createContainer") {
        check("fchdir", libc().fchdir(root.rootFd), ctx.rootfs);
      }
      return ctx.runHooks(step.phase);
    case "pivot-root":
      return root.pivot();
    case "move-root":
      return root.moveRoot();
    case "chroot":
      return root.chroot();
    case "rootfs-propagation":
      return mount(null, "/", null, step.flags, null);
    case "reopen-dev-null":
      return reopenDevNull();
    case "mkdir":
      return Deno.mkdirSync(step.path, { recursive: true, mode: 0o755 });
    case "remount-readonly":
      return remountReadonly(step.path, step.flags);
    case "root-readonly":
      return remountBind("/", MS.RDONLY);
    case "hostname": {
      const b = cstr(step.name);
      return void check("sethostname", libc().sethostname(b, BigInt(b.length - 1)), step.name);
    }
    case "domainname": {
      const b = cstr(step.name);
      return void check("setdomainname", libc().setdomainname(b, BigInt(b.length - 1)), step.name);
    }
    case "sysctl":
      return Deno.writeTextFileSync(`/proc/sys/${step.key.replaceAll(".", "/")}`, step.value);
    case "readonly":
      return readonlyPath(step.path);
    case "mask":
      return maskPath(step.path);
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
