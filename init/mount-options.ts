// OCI mount options → mount(2) flags, propagation, recursive attributes and fs data, as runc
// understands them. Pure, so it is unit-tested without root.
import { MS } from "../syscalls/mount.ts";

/** option → [flags to clear, flags to set] */
const flagOptions: Record<string, [number, number]> = {
  async: [MS.SYNCHRONOUS, 0],
  atime: [MS.NOATIME, 0],
  bind: [0, MS.BIND],
  defaults: [0, 0],
  dev: [MS.NODEV, 0],
  diratime: [MS.NODIRATIME, 0],
  dirsync: [0, MS.DIRSYNC],
  exec: [MS.NOEXEC, 0],
  iversion: [0, MS.I_VERSION],
  lazytime: [0, MS.LAZYTIME],
  loud: [MS.SILENT, 0],
  mand: [0, MS.MANDLOCK],
  noatime: [0, MS.NOATIME],
  nodev: [0, MS.NODEV],
  nodiratime: [0, MS.NODIRATIME],
  noexec: [0, MS.NOEXEC],
  noiversion: [MS.I_VERSION, 0],
  nolazytime: [MS.LAZYTIME, 0],
  nomand: [MS.MANDLOCK, 0],
  norelatime: [MS.RELATIME, 0],
  nostrictatime: [MS.STRICTATIME, 0],
  nosuid: [0, MS.NOSUID],
  nosymfollow: [0, MS.NOSYMFOLLOW],
  rbind: [0, MS.BIND | MS.REC],
  relatime: [0, MS.RELATIME],
  remount: [0, MS.REMOUNT],
  ro: [0, MS.RDONLY],
  rw: [MS.RDONLY, 0],
  silent: [0, MS.SILENT],
  strictatime: [0, MS.STRICTATIME],
  suid: [MS.NOSUID, 0],
  sync: [0, MS.SYNCHRONOUS],
};

/** Propagation options (and linux.rootfsPropagation values) → mount(2) flags. */
export const propagationOptions: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** mount_setattr(2) MOUNT_ATTR_* bits, for the recursive `r*` options. */
export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  _ATIME: 0x70,
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  IDMAP: 0x100000,
  NOSYMFOLLOW: 0x200000,
} as const;

/** option → [attrs to clear, attrs to set] (both applied recursively). */
const recursiveOptions: Record<string, [number, number]> = {
  rro: [0, MOUNT_ATTR.RDONLY],
  rrw: [MOUNT_ATTR.RDONLY, 0],
  rnosuid: [0, MOUNT_ATTR.NOSUID],
  rsuid: [MOUNT_ATTR.NOSUID, 0],
  rnodev: [0, MOUNT_ATTR.NODEV],
  rdev: [MOUNT_ATTR.NODEV, 0],
  rnoexec: [0, MOUNT_ATTR.NOEXEC],
  rexec: [MOUNT_ATTR.NOEXEC, 0],
  rnodiratime: [0, MOUNT_ATTR.NODIRATIME],
  rdiratime: [MOUNT_ATTR.NODIRATIME, 0],
  rrelatime: [MOUNT_ATTR._ATIME, MOUNT_ATTR.RELATIME],
  rnorelatime: [MOUNT_ATTR._ATIME, 0],
  rnoatime: [MOUNT_ATTR._ATIME, MOUNT_ATTR.NOATIME],
  ratime: [MOUNT_ATTR._ATIME, 0],
  rstrictatime: [MOUNT_ATTR._ATIME, MOUNT_ATTR.STRICTATIME],
  rnostrictatime: [MOUNT_ATTR._ATIME, 0],
  rnosymfollow: [0, MOUNT_ATTR.NOSYMFOLLOW],
  rsymfollow: [MOUNT_ATTR.NOSYMFOLLOW, 0],
};

/** Options that only steer tsrun and never reach the kernel. */
const runtimeOptions = new Set(["tmpcopyup", "idmap", "ridmap"]);

export interface ParsedMountOptions {
  flags: number;
  /** Flags the options explicitly turned off ("rw", "suid"...), for bind remounts. */
  cleared: number;
  /** Propagation changes, applied one by one after the mount. */
  propagation: number[];
  attrClear: number;
  attrSet: number;
  /** Comma-joined filesystem-specific options (e.g. "mode=755,size=65536k"). */
  data: string;
  idmap: "" | "idmap" | "ridmap";
  /** runc's tmpcopyup: a tmpfs starts with a copy of what it covers. */
  tmpcopyup: boolean;
}

export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  const out: ParsedMountOptions = {
    flags: 0,
    cleared: 0,
    propagation: [],
    attrClear: 0,
    attrSet: 0,
    data: "",
    idmap: "",
    tmpcopyup: false,
  };
  const data: string[] = [];
  for (const opt of options) {
    if (Object.hasOwn(flagOptions, opt)) {
      const [clear, set] = flagOptions[opt];
      out.flags = (out.flags & ~clear) | set;
      out.cleared = (out.cleared | clear) & ~set;
    } else if (Object.hasOwn(propagationOptions, opt)) {
      out.propagation.push(propagationOptions[opt]);
    } else if (Object.hasOwn(recursiveOptions, opt)) {
      const [clear, set] = recursiveOptions[opt];
      out.attrClear |= clear;
      out.attrSet = (out.attrSet & ~clear) | set;
    } else if (runtimeOptions.has(opt)) {
      if (opt === "tmpcopyup") out.tmpcopyup = true;
      else out.idmap = opt as "idmap" | "ridmap";
    } else {
      data.push(opt);
    }
  }
  out.data = data.join(",");
  return out;
}

/** Flags that a bind mount ignores at creation and needs a remount for. */
export const BIND_REMOUNT_FLAGS = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC |
  MS.NOATIME | MS.NODIRATIME | MS.RELATIME | MS.STRICTATIME | MS.NOSYMFOLLOW;

/** Flags a mount inherited from a more privileged user namespace keeps locked (MNT_LOCK_*). */
export const LOCKED_FLAGS = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.NOATIME |
  MS.NODIRATIME | MS.RELATIME | MS.STRICTATIME;

/** The atime modes, of which a mount has exactly one. */
export const ATIME_FLAGS = MS.NOATIME | MS.RELATIME | MS.STRICTATIME;

/** statfs(2) f_flags (ST_*) → the MS_* flags of the mount they describe. */
export function statfsToMountFlags(stFlags: number): number {
  const pairs: [number, number][] = [
    [0x0001, MS.RDONLY],
    [0x0002, MS.NOSUID],
    [0x0004, MS.NODEV],
    [0x0008, MS.NOEXEC],
    [0x0010, MS.SYNCHRONOUS],
    [0x0040, MS.MANDLOCK],
    [0x0400, MS.NOATIME],
    [0x0800, MS.NODIRATIME],
    [0x1000, MS.RELATIME],
    [0x2000, MS.NOSYMFOLLOW],
  ];
  let flags = 0;
  for (const [st, ms] of pairs) if (stFlags & st) flags |= ms;
  // Strict atime is no flag of its own: it is what a mount has when it has no other mode.
  if (!(flags & ATIME_FLAGS)) flags |= MS.STRICTATIME;
  return flags;
}
