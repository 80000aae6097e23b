// The config `tsrun spec` writes: runc's example spec (a busybox-style `sh` with a terminal, a
// minimal capability set and the usual pseudo-filesystems), optionally made rootless.
import { SPEC_VERSION } from "./implemented.ts";
import type { Config, Mount } from "./config.ts";

export interface DefaultSpecOptions {
  /** Add a cgroup namespace: runc does so on a cgroup v2 (unified) host only. */
  cgroupNamespace: boolean;
  /** Map the given host user and group to root in a new user namespace. */
  rootless?: { uid: number; gid: number };
}

const CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];

const NOEXEC = ["nosuid", "noexec", "nodev"];

const MOUNTS: Mount[] = [
  { destination: "/proc", type: "proc", source: "proc" },
  {
    destination: "/dev",
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
  },
  {
    destination: "/dev/pts",
    type: "devpts",
    source: "devpts",
    options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
  },
  {
    destination: "/dev/shm",
    type: "tmpfs",
    source: "shm",
    options: [...NOEXEC, "mode=1777", "size=65536k"],
  },
  { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: NOEXEC },
  { destination: "/sys", type: "sysfs", source: "sysfs", options: [...NOEXEC, "ro"] },
  {
    destination: "/sys/fs/cgroup",
    type: "cgroup",
    source: "cgroup",
    options: [...NOEXEC, "relatime", "ro"],
  },
];

export function defaultSpec(opts: DefaultSpecOptions): Config {
  const namespaces: NonNullable<Config["linux"]>["namespaces"] = [
    { type: "pid" },
    { type: "network" },
    { type: "ipc" },
    { type: "uts" },
    { type: "mount" },
  ];
  if (opts.cgroupNamespace) namespaces.push({ type: "cgroup" });
  const config: Config = {
    ociVersion: SPEC_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ["sh"],
      env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
      cwd: "/",
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: true },
    hostname: "tsrun",
    mounts: structuredClone(MOUNTS),
    linux: {
      resources: { devices: [{ allow: false, access: "rwm" }] },
      namespaces,
      maskedPaths: [
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
  return opts.rootless ? toRootless(config, opts.rootless) : config;
}

/**
 * What runc's `spec --rootless` changes: a user namespace mapping the caller to root, no network
 * namespace (an unprivileged user cannot configure one), /sys bind-mounted from the host (sysfs
 * cannot be mounted without owning the network namespace), no uid=/gid= mount options (those IDs
 * are unmapped), and no cgroup limits (the caller may not own a cgroup to put them in).
 */
function toRootless(config: Config, ids: { uid: number; gid: number }): Config {
  const linux = config.linux!;
  linux.namespaces = [
    ...(linux.namespaces ?? []).filter((ns) => ns.type !== "network" && ns.type !== "user"),
    { type: "user" },
  ];
  linux.uidMappings = [{ containerID: 0, hostID: ids.uid, size: 1 }];
  linux.gidMappings = [{ containerID: 0, hostID: ids.gid, size: 1 }];
  delete linux.resources;
  config.mounts = config.mounts?.map((m) =>
    m.destination === "/sys"
      ? {
        destination: "/sys",
        type: "none",
        source: "/sys",
        options: ["rbind", ...NOEXEC, "ro"],
      }
      : { ...m, options: m.options?.filter((o) => !/^[ug]id=/.test(o)) }
  );
  return config;
}
