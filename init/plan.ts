// The container's root filesystem setup as data: an ordered list of steps computed from the
// config alone, so its logic is unit-tested without root; init/rootfs.ts carries them out.
import type { Config } from "../specs/schema/config.ts";
import { MS } from "../syscalls/mount.ts";
import { type ParsedMountOptions, parseMountOptions } from "./mount-options.ts";

/** Hooks run during setup, in this order, before the root is switched. */
export type HookPhase = "prestart" | "createRuntime" | "createContainer";

export interface MountStep {
  op: "mount";
  /** Index in config.mounts, for error messages (`/mounts/3`). */
  index: number;
  source: string;
  /** Container path (absolute); resolved inside the rootfs when carried out. */
  destination: string;
  type: string;
  options: ParsedMountOptions;
  bind: boolean;
}

export interface DeviceStep {
  op: "device";
  path: string;
  type: "c" | "b" | "u" | "p";
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

export type SetupStep =
  | { op: "propagation"; flags: number }
  | { op: "bind-rootfs" }
  | MountStep
  | DeviceStep
  | { op: "symlink"; target: string; path: string }
  | { op: "hooks"; phase: HookPhase }
  | { op: "pivot-root" }
  | { op: "move-root" }
  | { op: "mask"; path: string }
  | { op: "readonly"; path: string }
  | { op: "root-readonly" }
  | { op: "rootfs-propagation"; flags: number }
  | { op: "sysctl"; key: string; value: string }
  | { op: "hostname"; name: string }
  | { op: "domainname"; name: string };

const propagationFlags: Record<string, number> = {
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

export const DEFAULT_DEVICES: Omit<DeviceStep, "op" | "uid" | "gid">[] = [
  { path: "/dev/null", type: "c", major: 1, minor: 3, mode: 0o666 },
  { path: "/dev/zero", type: "c", major: 1, minor: 5, mode: 0o666 },
  { path: "/dev/full", type: "c", major: 1, minor: 7, mode: 0o666 },
  { path: "/dev/random", type: "c", major: 1, minor: 8, mode: 0o666 },
  { path: "/dev/urandom", type: "c", major: 1, minor: 9, mode: 0o666 },
  { path: "/dev/tty", type: "c", major: 5, minor: 0, mode: 0o666 },
];

const DEFAULT_SYMLINKS: [string, string][] = [
  ["/proc/self/fd", "/dev/fd"],
  ["/proc/self/fd/0", "/dev/stdin"],
  ["/proc/self/fd/1", "/dev/stdout"],
  ["/proc/self/fd/2", "/dev/stderr"],
];

const clean = (p: string) => "/" + p.split("/").filter((c) => c && c !== ".").join("/");

export function planRootfs(config: Config, opts: { noPivot: boolean }): SetupStep[] {
  const steps: SetupStep[] = [];
  const linux = config.linux ?? {};
  const hostnameNs = (linux.namespaces ?? []).some((n) => n.type === "uts");
  const requested = linux.rootfsPropagation === undefined
    ? undefined
    : propagationFlags[linux.rootfsPropagation];
  // Keep host mount events out of the container (and ours out of the host): private or slave
  // as asked, slave otherwise; shared/unbindable are applied to the new root after pivot.
  steps.push({
    op: "propagation",
    flags: requested !== undefined && (requested & (MS.PRIVATE | MS.SLAVE))
      ? requested | MS.REC
      : MS.SLAVE | MS.REC,
  });
  steps.push({ op: "bind-rootfs" });

  const mounts = config.mounts ?? [];
  let devMounted = false;
  mounts.forEach((m, index) => {
    const options = parseMountOptions(m.options ?? []);
    const type = m.type ?? "";
    const bind = (options.flags & MS.BIND) !== 0 || type === "bind";
    if (bind) options.flags |= MS.BIND;
    const destination = clean(m.destination);
    if (destination === "/dev" && !bind) devMounted = true;
    steps.push({ op: "mount", index, source: m.source ?? "", destination, type, options, bind });
  });

  const uid = 0, gid = 0;
  const configured = new Set((linux.devices ?? []).map((d) => clean(d.path)));
  if (devMounted) {
    for (const d of DEFAULT_DEVICES) {
      if (!configured.has(d.path)) steps.push({ op: "device", ...d, uid, gid });
    }
  }
  for (const d of linux.devices ?? []) {
    steps.push({
      op: "device",
      path: clean(d.path),
      type: d.type as DeviceStep["type"],
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      mode: d.fileMode ?? 0o666,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    });
  }
  if (devMounted) {
    for (const [target, path] of DEFAULT_SYMLINKS) steps.push({ op: "symlink", target, path });
    steps.push({ op: "symlink", target: "pts/ptmx", path: "/dev/ptmx" });
  }

  for (const phase of ["prestart", "createRuntime", "createContainer"] as const) {
    steps.push({ op: "hooks", phase });
  }
  steps.push(opts.noPivot ? { op: "move-root" } : { op: "pivot-root" });
  if (requested !== undefined) steps.push({ op: "rootfs-propagation", flags: requested });
  for (const [key, value] of Object.entries(linux.sysctl ?? {})) {
    steps.push({ op: "sysctl", key, value });
  }
  for (const path of linux.readonlyPaths ?? []) steps.push({ op: "readonly", path: clean(path) });
  for (const path of linux.maskedPaths ?? []) steps.push({ op: "mask", path: clean(path) });
  if (config.root?.readonly) steps.push({ op: "root-readonly" });
  if (config.hostname !== undefined && hostnameNs) {
    steps.push({ op: "hostname", name: config.hostname });
  }
  if (config.domainname !== undefined && hostnameNs) {
    steps.push({ op: "domainname", name: config.domainname });
  }
  return steps;
}
