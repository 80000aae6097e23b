// Carries out the rootfs plan (init/plan.ts) inside the container's mount namespace. Before the
// root switch every target is opened inside the rootfs with openat2(RESOLVE_IN_ROOT) and
// mounted on through /proc/self/fd, so symlinks in the rootfs can never send a mount (or a
// device node) onto the host; after it, plain paths resolve in the container's root anyway.
import {
  check,
  cstr,
  libc,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_NOFOLLOW,
  O_PATH,
  O_RDONLY,
  O_WRONLY,
  openFd,
} from "../syscalls/libc.ts";
import { MNT_DETACH, mount, MS, pivotRoot, umount2 } from "../syscalls/mount.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { EEXIST, ENOENT, EPERM } from "../syscalls/errno.ts";
import { remountBind, remountReadonly, setRecursiveAttrs, statfs } from "./remount.ts";
import { maskPath, readonlyPath, reopenDevNull } from "./masks.ts";
import type { DeviceStep, HookPhase, MountStep, SetupStep } from "./plan.ts";
import {
  AT_SYMLINK_NOFOLLOW,
  atCall,
  createFileInRoot,
  fdPath,
  inParent,
  mkdirAllInRoot,
  openInRoot,
} from "../process/secure-path.ts";
import { closeFd } from "../syscalls/socket.ts";
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

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (e) {
    throw new Error(`bind source ${path}: ${(e as Error).message}`);
  }
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
      checkProcMount(inside, step, step.bind ? sourceFsType(step.source) : undefined);
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
        atCall("mknodat", [dirFd, name, fmt | (d.mode & 0o7777), makedev(d)], d.path);
      } catch (e) {
        if (e instanceof SyscallError && e.errno === EEXIST) return; // as runc: keep it
        if (e instanceof SyscallError && e.errno === EPERM) return this.#bindDevice(dirFd, name, d);
        throw e;
      }
      atCall("fchownat", [dirFd, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW], d.path);
    });
  }

  /** Where mknod is not allowed, the host's node is bind-mounted onto an empty file. */
  #bindDevice(dirFd: number, name: string, d: DeviceStep): void {
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
      atCall("symlinkat", [target, dirFd, name], path, EEXIST);
    });
  }

  ptmx(): void {
    inParent(this.rootFd, "/dev/ptmx", (dirFd, name) => {
      atCall("unlinkat", [dirFd, name, 0], "/dev/ptmx", ENOENT);
      atCall("symlinkat", ["pts/ptmx", dirFd, name], "/dev/ptmx");
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

function sourceFsType(path: string): number | undefined {
  try {
    return statfs(path).type;
  } catch {
    return undefined; // a missing source fails the mount itself, with a clearer message
  }
}

function makedev(d: DeviceStep): bigint {
  const ma = BigInt(d.major), mi = BigInt(d.minor);
  return ((ma & 0xfffn) << 8n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n) |
    ((ma & ~0xfffn) << 32n);
}

const S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000;

/** Runs the plan's steps in order. */
export async function setupRootfs(steps: SetupStep[], ctx: RootfsContext): Promise<void> {
  const root = new Rootfs(ctx);
  try {
    for (const step of steps) await runStep(step, root);
  } finally {
    root.close();
  }
}

/**
 * Whether a host path exists, by libc's open, whose -1 builds no error: a stat of the
 * /proc/kcore many kernels lack cost the init a Deno error (~0.3-0.5 ms), and so did listing
 * /proc (~125 entries).
 */
function hostPathExists(path: string): boolean {
  const fd = libc().open(cstr(path), O_PATH | O_CLOEXEC, 0);
  if (fd < 0) return false;
  libc().close(fd);
  return true;
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
      if (step.when && !hostPathExists(step.when)) return;
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
