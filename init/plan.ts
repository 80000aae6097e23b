// The container's root filesystem setup as data: an ordered list of steps computed from the
// config alone, so its logic is unit-tested without root; init/rootfs.ts carries them out.
// The order is runc's: mounts, /dev, hooks, root switch, then what only makes sense from inside
// (propagation of the new root, read-only remounts, hostname, sysctls, readonly and masked paths).
import type { Config } from "../specs/schema/config.ts";
import { MS } from "../syscalls/mount.ts";
import { type ParsedMountOptions, parseMountOptions, propagationOptions } from "./mount-options.ts";
import type { IdMapping } from "../process/id-map.ts";

/** Hooks run during setup, in this order, before the root is switched. */
export type HookPhase = "prestart" | "createRuntime" | "createContainer";

export interface MountStep {
  op: "mount";
  /** Index in config.mounts, for error messages (`/mounts/3`). */
  index: number;
  /** For bind mounts an absolute host path (relative ones are taken from the bundle). */
  source: string;
  /** Container path (absolute); resolved inside the rootfs when carried out. */
  destination: string;
  type: string;
  options: ParsedMountOptions;
  bind: boolean;
  /** Mounted read-write first and remounted read-only after the pivot (tmpfs, /dev). */
  delayReadonly: boolean;
  /** An ID-mapped bind mount: the mount's own mappings, or the container's when absent. */
  idmap?: { uidMappings?: IdMapping[]; gidMappings?: IdMapping[]; recursive: boolean };
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
  /** A symlink at `path`; with `when`, only if that host path exists (e.g. /proc/kcore). */
  | { op: "symlink"; target: string; path: string; when?: string }
  /** /dev/ptmx replaced by a link to the container's own devpts instance. */
  | { op: "ptmx" }
  | { op: "hooks"; phase: HookPhase }
  | { op: "pivot-root" }
  | { op: "move-root" }
  /** Without a mount namespace only chroot is possible (runc does the same). */
  | { op: "chroot" }
  | { op: "rootfs-propagation"; flags: number }
  /** Stdio open on the host's /dev/null is reopened on the container's. */
  | { op: "reopen-dev-null" }
  | { op: "mkdir"; path: string }
  | { op: "remount-readonly"; path: string; flags: number }
  | { op: "root-readonly" }
  | { op: "hostname"; name: string }
  | { op: "domainname"; name: string }
  | { op: "sysctl"; key: string; value: string }
  | { op: "readonly"; path: string }
  | { op: "mask"; path: string };

/** What every container gets in a /dev it does not bind from the host (runtime-spec). */
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

export const clean = (p: string) => "/" + p.split("/").filter((c) => c && c !== ".").join("/");

export interface PlanOptions {
  noPivot: boolean;
  /** The bundle directory, against which relative bind sources are taken (as runc does). */
  bundle?: string;
}

/** Filesystems that keep their own labels; the others get linux.mountLabel as `context=`. */
const UNLABELLED = new Set(["proc", "sysfs", "mqueue", "cgroup", "cgroup2"]);

function mountStep(
  m: NonNullable<Config["mounts"]>[number],
  index: number,
  opts: PlanOptions & { mountLabel?: string },
) {
  const options = parseMountOptions(m.options ?? []);
  const type = m.type ?? "";
  const bind = (options.flags & MS.BIND) !== 0 || type === "bind";
  if (bind) options.flags |= MS.BIND;
  const destination = clean(m.destination);
  let source = m.source ?? "";
  if (bind && opts.bundle && source && !source.startsWith("/")) {
    source = `${opts.bundle}/${source}`;
  }
  if (opts.mountLabel && !bind && !UNLABELLED.has(type)) {
    options.data = [options.data, `context="${opts.mountLabel}"`].filter(Boolean).join(",");
  }
  const step: MountStep = {
    op: "mount",
    index,
    source,
    destination,
    type,
    options,
    bind,
    // /dev gets device nodes and tmpfs mounts may get mounts inside: read-only comes last.
    delayReadonly: !bind && (type === "tmpfs" || destination === "/dev") &&
      (options.flags & MS.RDONLY) !== 0,
  };
  if (options.idmap || m.uidMappings || m.gidMappings) {
    step.idmap = {
      uidMappings: m.uidMappings,
      gidMappings: m.gidMappings,
      recursive: options.idmap === "ridmap",
    };
  }
  return step;
}

const HOOK_PHASES = ["prestart", "createRuntime", "createContainer"] as const;

export function planRootfs(config: Config, opts: PlanOptions): SetupStep[] {
  const linux = config.linux ?? {};
  const types = new Set((linux.namespaces ?? []).map((n) => n.type));
  // A mount namespace, new or joined: without one, mounts would land on the host.
  const steps = types.has("mount") ? planMounts(config, opts) : [
    ...HOOK_PHASES.map((phase) => ({ op: "hooks", phase }) as SetupStep),
    { op: "chroot" } as SetupStep,
  ];
  if (config.process?.cwd) steps.push({ op: "mkdir", path: clean(config.process.cwd) });
  if (types.has("mount")) {
    const delayed = steps.filter((s): s is MountStep => s.op === "mount" && s.delayReadonly);
    for (const m of delayed) {
      steps.push({ op: "remount-readonly", path: m.destination, flags: m.options.flags });
    }
    if (config.root?.readonly) steps.push({ op: "root-readonly" });
  }
  if (config.hostname && types.has("uts")) steps.push({ op: "hostname", name: config.hostname });
  if (config.domainname && types.has("uts")) {
    steps.push({ op: "domainname", name: config.domainname });
  }
  for (const [key, value] of Object.entries(linux.sysctl ?? {})) {
    steps.push({ op: "sysctl", key, value });
  }
  if (types.has("mount")) {
    for (const path of linux.readonlyPaths ?? []) steps.push({ op: "readonly", path: clean(path) });
    for (const path of linux.maskedPaths ?? []) steps.push({ op: "mask", path: clean(path) });
  }
  return steps;
}

/** Everything up to the root switch and the new root's propagation. */
function planMounts(config: Config, opts: PlanOptions): SetupStep[] {
  const steps: SetupStep[] = [];
  const linux = config.linux ?? {};
  const requested = linux.rootfsPropagation === undefined
    ? undefined
    : propagationOptions[linux.rootfsPropagation];
  // Keep host mount events out of the container (and ours out of the host): private or slave
  // as asked, slave otherwise; shared/unbindable are applied to the new root after pivot, so
  // the container's mounts never join a peer group of the host's.
  steps.push({
    op: "propagation",
    flags: requested !== undefined && (requested & (MS.PRIVATE | MS.SLAVE))
      ? requested | MS.REC
      : MS.SLAVE | MS.REC,
  });
  steps.push({ op: "bind-rootfs" });

  const mountSteps = (config.mounts ?? []).map((m, i) =>
    mountStep(m, i, { ...opts, mountLabel: linux.mountLabel })
  );
  steps.push(...mountSteps);

  // As runc: a /dev bound from the host is left alone; any other (or none) gets the defaults.
  const setupDev = !mountSteps.some((m) => m.bind && m.destination === "/dev");
  const configured = new Set((linux.devices ?? []).map((d) => clean(d.path)));
  if (setupDev) {
    for (const d of DEFAULT_DEVICES) {
      if (!configured.has(d.path)) steps.push({ op: "device", ...d, uid: 0, gid: 0 });
    }
  }
  for (const d of linux.devices ?? []) {
    const path = clean(d.path);
    // /dev/ptmx is always the link to the container's own devpts.
    if (setupDev && path === "/dev/ptmx") continue;
    steps.push({
      op: "device",
      path,
      type: d.type as DeviceStep["type"],
      major: d.major ?? 0,
      minor: d.minor ?? 0,
      mode: (d.fileMode ?? 0o666) & 0o7777,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    });
  }
  if (setupDev) {
    steps.push({ op: "ptmx" });
    for (const [target, path] of DEFAULT_SYMLINKS) steps.push({ op: "symlink", target, path });
    steps.push({ op: "symlink", target: "/proc/kcore", path: "/dev/core", when: "/proc/kcore" });
  }

  for (const phase of HOOK_PHASES) steps.push({ op: "hooks", phase });
  steps.push(opts.noPivot ? { op: "move-root" } : { op: "pivot-root" });
  if (requested !== undefined && !(requested & (MS.PRIVATE | MS.SLAVE))) {
    steps.push({ op: "rootfs-propagation", flags: requested });
  }
  if (setupDev) steps.push({ op: "reopen-dev-null" });
  return steps;
}
