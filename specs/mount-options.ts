// Mount options a runtime recognizes (config.md#configLinuxMountOptions), grouped by how they
// are applied. Anything else in `mounts[].options` is filesystem data for mount(2).

/** Options that set or clear a mount(2) MS_* flag. */
export const FLAG_OPTIONS = [
  "async",
  "atime",
  "bind",
  "defaults",
  "dev",
  "diratime",
  "dirsync",
  "exec",
  "iversion",
  "lazytime",
  "loud",
  "mand",
  "noatime",
  "nodev",
  "nodiratime",
  "noexec",
  "noiversion",
  "nolazytime",
  "nomand",
  "norelatime",
  "nostrictatime",
  "nosuid",
  "nosymfollow",
  "rbind",
  "relatime",
  "remount",
  "ro",
  "rw",
  "silent",
  "strictatime",
  "suid",
  "symfollow",
  "sync",
] as const;

/** Propagation changes, applied after the mount. */
export const PROPAGATION_OPTIONS = [
  "private",
  "rprivate",
  "shared",
  "rshared",
  "slave",
  "rslave",
  "unbindable",
  "runbindable",
] as const;

/** Recursive mount_setattr(2) attributes. */
export const RECURSIVE_OPTIONS = [
  "ratime",
  "rdev",
  "rdiratime",
  "rexec",
  "rnoatime",
  "rnodev",
  "rnodiratime",
  "rnoexec",
  "rnorelatime",
  "rnostrictatime",
  "rnosuid",
  "rnosymfollow",
  "rrelatime",
  "rro",
  "rrw",
  "rstrictatime",
  "rsuid",
  "rsymfollow",
] as const;

/** Options the runtime handles itself; never passed to the kernel. */
export const EXTENSION_OPTIONS = ["tmpcopyup", "idmap", "ridmap"] as const;

export const MOUNT_OPTIONS: readonly string[] = [
  ...FLAG_OPTIONS,
  ...PROPAGATION_OPTIONS,
  ...RECURSIVE_OPTIONS,
  ...EXTENSION_OPTIONS,
].sort();

const known = new Set(MOUNT_OPTIONS);

/** True for an option the runtime interprets, false for filesystem data ("mode=755"). */
export function isKnownMountOption(option: string): boolean {
  return known.has(option);
}

/** True when the options make a bind mount. */
export function isBind(options: readonly string[] | undefined): boolean {
  return options?.some((o) => o === "bind" || o === "rbind") ?? false;
}
