// Carries out the rootfs plan (init/plan.ts) inside the container's mount namespace.
import { check, cstr, libc, sys } from "../syscalls/libc.ts";
import { MNT_DETACH, mount, MS, pivotRoot, ptr, umount2 } from "../syscalls/mount.ts";
import { syscallNr } from "../syscalls/nr.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { BIND_REMOUNT_FLAGS } from "./mount-options.ts";
import type { DeviceStep, HookPhase, MountStep, SetupStep } from "./plan.ts";
import { resolveInRoot } from "./secure-path.ts";
import { mountCgroups } from "./cgroup-mount.ts";

export interface RootfsContext {
  rootfs: string;
  /** Inside a new user namespace mknod is not allowed: devices are bind-mounted from the host. */
  userns: boolean;
  cgroupns: boolean;
  runHooks(phase: HookPhase): Promise<void> | void;
}

const AT_FDCWD = -100, AT_RECURSIVE = 0x8000;

function mkdirAll(path: string, mode = 0o755): void {
  Deno.mkdirSync(path, { recursive: true, mode });
}

function ensureFile(path: string): void {
  mkdirAll(path.slice(0, path.lastIndexOf("/")) || "/");
  try {
    Deno.lstatSync(path);
  } catch {
    Deno.writeFileSync(path, new Uint8Array(0), { mode: 0o644 });
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return true;
  }
}

function setAttr(target: string, clear: number, set: number): void {
  // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
  const attr = new BigUint64Array([BigInt(set), BigInt(clear), 0n, 0n]);
  const path = cstr(target);
  sys("mount_setattr", syscallNr("mount_setattr"), [
    AT_FDCWD,
    ptr(path),
    AT_RECURSIVE,
    ptr(new Uint8Array(attr.buffer)),
    32,
  ], target);
}

function doMount(step: MountStep, ctx: RootfsContext): void {
  const target = resolveInRoot(ctx.rootfs, step.destination);
  const { options } = step;
  if (step.type === "cgroup" || step.type === "cgroup2") {
    mkdirAll(target);
    mountCgroups(target, options.flags, ctx.cgroupns);
    return;
  }
  if (step.bind) {
    if (isDir(step.source)) mkdirAll(target);
    else ensureFile(target);
    mount(step.source, target, null, options.flags & (MS.BIND | MS.REC), null);
    if (options.flags & BIND_REMOUNT_FLAGS) {
      mount(null, target, null, MS.REMOUNT | MS.BIND | (options.flags & ~MS.REC), null);
    }
  } else {
    mkdirAll(target);
    mount(step.source || step.type, target, step.type, options.flags, options.data);
  }
  for (const p of options.propagation) mount(null, target, null, p, null);
  if (options.attrSet || options.attrClear) setAttr(target, options.attrClear, options.attrSet);
}

function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n) |
    ((ma & ~0xfffn) << 32n);
}

const S_IFCHR = 0o020000, S_IFBLK = 0o060000, S_IFIFO = 0o010000;

function doDevice(d: DeviceStep, ctx: RootfsContext): void {
  const target = resolveInRoot(ctx.rootfs, d.path);
  mkdirAll(target.slice(0, target.lastIndexOf("/")));
  if (ctx.userns && d.type !== "p") {
    ensureFile(target);
    mount(d.path, target, null, MS.BIND, null);
    return;
  }
  try {
    Deno.removeSync(target);
  } catch { /* not there yet */ }
  const fmt = d.type === "b" ? S_IFBLK : d.type === "p" ? S_IFIFO : S_IFCHR;
  check(
    "mknod",
    libc().mknod(cstr(target), fmt | (d.mode & 0o7777), makedev(d.major, d.minor)),
    d.path,
  );
  check("chown", libc().chown(cstr(target), d.uid, d.gid), d.path);
}

function pivot(rootfs: string): void {
  check("chdir", libc().chdir(cstr(rootfs)), rootfs);
  pivotRoot(".", ".");
  // The old root is stacked under the new one: detach it without telling the host.
  mount(null, ".", null, MS.SLAVE | MS.REC, null);
  umount2(".", MNT_DETACH);
  check("chdir", libc().chdir(cstr("/")), "/");
}

function moveRoot(rootfs: string): void {
  check("chdir", libc().chdir(cstr(rootfs)), rootfs);
  mount(rootfs, "/", null, MS.MOVE, null);
  check("chroot", libc().chroot(cstr(".")), rootfs);
  check("chdir", libc().chdir(cstr("/")), "/");
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    const missing = e instanceof Deno.errors.NotFound ||
      (e instanceof SyscallError && e.errno === 2);
    if (!missing) throw e;
  }
}

export function runRootfsStep(step: SetupStep, ctx: RootfsContext): Promise<void> | void {
  switch (step.op) {
    case "propagation":
      return mount(null, "/", null, step.flags, null);
    case "bind-rootfs":
      return mount(ctx.rootfs, ctx.rootfs, null, MS.BIND | MS.REC, null);
    case "mount":
      return doMount(step, ctx);
    case "device":
      return doDevice(step, ctx);
    case "symlink": {
      const path = resolveInRoot(ctx.rootfs, step.path);
      try {
        Deno.symlinkSync(step.target, path);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      return;
    }
    case "hooks":
      return ctx.runHooks(step.phase);
    case "pivot-root":
      return pivot(ctx.rootfs);
    case "move-root":
      return moveRoot(ctx.rootfs);
    case "rootfs-propagation":
      return mount(null, "/", null, step.flags, null);
    case "sysctl":
      return Deno.writeTextFileSync(`/proc/sys/${step.key.replaceAll(".", "/")}`, step.value);
    case "readonly":
      return ignoreMissing(() => {
        mount(step.path, step.path, null, MS.BIND | MS.REC, null);
        mount(null, step.path, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.REC, null);
      });
    case "mask":
      return ignoreMissing(() => {
        if (Deno.statSync(step.path).isDirectory) {
          mount("tmpfs", step.path, "tmpfs", MS.RDONLY, null);
        } else mount("/dev/null", step.path, null, MS.BIND, null);
      });
    case "root-readonly":
      return mount(null, "/", null, MS.BIND | MS.REMOUNT | MS.RDONLY, null);
    case "hostname": {
      const b = cstr(step.name);
      return void check("sethostname", libc().sethostname(b, BigInt(b.length - 1)), step.name);
    }
    case "domainname": {
      const b = cstr(step.name);
      return void check("setdomainname", libc().setdomainname(b, BigInt(b.length - 1)), step.name);
    }
  }
}
