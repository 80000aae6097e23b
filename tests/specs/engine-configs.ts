// config.json documents as container engines write them, trimmed to what tsrun accepts: one
// like podman's (seccomp, resources, hooks, bind mounts, user namespace) and one like docker's.
// Between them they hold a value for every kind of field the schema has.
import type { Json } from "./util.ts";

const CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_NET_BIND_SERVICE",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
];

const ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"];

const NOEXEC = ["nosuid", "noexec", "nodev"];

const SECCOMP = {
  defaultAction: "SCMP_ACT_ERRNO",
  defaultErrnoRet: 38,
  architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
  syscalls: [
    { names: ["read", "write", "openat", "close"], action: "SCMP_ACT_ALLOW" },
    {
      names: ["personality"],
      action: "SCMP_ACT_ALLOW",
      args: [{ index: 0, value: 4294967295, valueTwo: 0, op: "SCMP_CMP_EQ" }],
    },
    { names: ["ptrace"], action: "SCMP_ACT_ERRNO", errnoRet: 1 },
  ],
};

/** A rootless podman container with limits, hooks and a bind mount of the bundle's rootfs. */
export function podmanConfig(): Json {
  return {
    ociVersion: "1.0.2-dev",
    process: {
      terminal: false,
      consoleSize: { height: 24, width: 80 },
      user: { uid: 0, gid: 0, umask: 18, additionalGids: [0, 1, 2, 3, 4, 6, 10] },
      args: ["/bin/sh", "-c", "true"],
      env: [...ENV, "container=podman", "HOSTNAME=c1"],
      cwd: "/",
      capabilities: {
        bounding: [...CAPS],
        effective: [...CAPS],
        inheritable: [],
        permitted: [...CAPS],
        ambient: [],
      },
      rlimits: [
        { type: "RLIMIT_NOFILE", hard: 524288, soft: 524288 },
        { type: "RLIMIT_NPROC", hard: 4194304, soft: 4194304 },
      ],
      noNewPrivileges: false,
      oomScoreAdj: 0,
      execCPUAffinity: { initial: "0", final: "0-1" },
    },
    root: { path: "rootfs" },
    hostname: "c1",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: NOEXEC },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: [...NOEXEC, "ro"] },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: NOEXEC },
      {
        destination: "/etc/hostname",
        type: "bind",
        source: "rootfs",
        options: ["bind", "rprivate", "ro"],
      },
      {
        destination: "/sys/fs/cgroup",
        type: "cgroup",
        source: "cgroup",
        options: ["rprivate", ...NOEXEC, "relatime", "ro"],
      },
    ],
    hooks: {
      createRuntime: [{ path: "/usr/bin/true", args: ["true", "create"], timeout: 5 }],
      poststop: [{ path: "/usr/bin/true", env: ["A=1"] }],
    },
    annotations: {
      "io.container.manager": "libpod",
      "org.opencontainers.image.stopSignal": "15",
      "io.podman.annotations.autoremove": "TRUE",
    },
    linux: {
      uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }, {
        containerID: 1,
        hostID: 100000,
        size: 65536,
      }],
      gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }, {
        containerID: 1,
        hostID: 100000,
        size: 65536,
      }],
      sysctl: { "net.ipv4.ping_group_range": "0 0" },
      resources: {
        devices: [{ allow: false, access: "rwm" }, {
          allow: true,
          type: "c",
          major: 1,
          minor: 3,
          access: "rwm",
        }],
        memory: { limit: 536870912, swap: 1073741824, swappiness: 60 },
        cpu: { shares: 1024, quota: 50000, period: 100000, cpus: "0-1", mems: "0" },
        pids: { limit: 2048 },
        blockIO: {
          weight: 500,
          weightDevice: [{ major: 8, minor: 0, weight: 100 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
        },
        hugepageLimits: [{ pageSize: "2MB", limit: 0 }],
        unified: { "memory.high": "max" },
      },
      cgroupsPath: "user.slice:libpod:c1",
      namespaces: [
        { type: "pid" },
        { type: "network" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
        { type: "cgroup" },
        { type: "user" },
      ],
      seccomp: SECCOMP,
      maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/sys/firmware"],
      readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/** A docker container, privileged parts left out, with the less common fields set. */
export function dockerConfig(): Json {
  return {
    ociVersion: "1.2.0",
    process: {
      user: { uid: 1000, gid: 1000, additionalGids: [1000] },
      args: ["sleep", "1"],
      env: [...ENV, "HOME=/home/user"],
      cwd: "/home/user",
      capabilities: { bounding: [...CAPS], effective: [...CAPS], permitted: [...CAPS] },
      apparmorProfile: "docker-default",
      oomScoreAdj: -500,
      noNewPrivileges: true,
      ioPriority: { class: "IOPRIO_CLASS_BE", priority: 4 },
      scheduler: { policy: "SCHED_OTHER", nice: 5, flags: ["SCHED_FLAG_RESET_ON_FORK"] },
    },
    root: { path: "rootfs", readonly: false },
    hostname: "0123456789ab",
    domainname: "example.org",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: NOEXEC },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: [...NOEXEC, "size=64m"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: [...NOEXEC, "ro"] },
    ],
    linux: {
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        memory: { limit: -1, reservation: 0, disableOOMKiller: false },
        cpu: { shares: 2, realtimeRuntime: 0, realtimePeriod: 0 },
        blockIO: { weight: 0 },
        network: { classID: 1, priorities: [{ name: "eth0", priority: 3 }] },
        rdma: { mlx5_0: { hcaHandles: 2, hcaObjects: 100 } },
      },
      cgroupsPath: "/docker/0123456789ab",
      namespaces: [
        { type: "mount" },
        { type: "network" },
        { type: "uts" },
        { type: "pid" },
        { type: "ipc" },
        { type: "time" },
      ],
      devices: [{ type: "c", path: "/dev/fuse", major: 10, minor: 229, fileMode: 8630, uid: 0 }],
      timeOffsets: { monotonic: { secs: 10, nanosecs: 0 } },
      rootfsPropagation: "rslave",
      seccomp: SECCOMP,
      intelRdt: { closID: "c1", memBwSchema: "MB:0=100" },
      personality: { domain: "LINUX", flags: [] },
      maskedPaths: ["/proc/kcore", "/sys/firmware"],
      readonlyPaths: ["/proc/sys"],
      mountLabel: "",
      netDevices: { eth1: { name: "eth9" } },
    },
  };
}
