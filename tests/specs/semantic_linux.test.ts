// Semantic rules on linux.*, hostname and annotations: passing and failing cases, exact pointers.
import { IMPLEMENTED } from "../../specs/implemented.ts";
import {
  assertClean,
  assertOnly,
  assertProblems,
  BUNDLE,
  type Json,
  notApplied,
  problemsAfter,
  unlessImplemented,
} from "./util.ts";

const dropNs = (c: Json, type: string) =>
  c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== type);

Deno.test("namespaces: no type twice", () => {
  assertOnly(
    (c) => c.linux.namespaces.push({ type: "pid" }),
    "error",
    "/linux/namespaces/5/type",
    /pid is already listed at \/linux\/namespaces\/0/,
  );
});

Deno.test("namespaces: a joined namespace path is absolute and exists", () => {
  assertClean((c) => c.linux.namespaces[1].path = "/proc/self/ns/net");
  assertOnly(
    (c) => c.linux.namespaces[1].path = "proc/1/ns/net",
    "error",
    "/linux/namespaces/1/path",
    /must be absolute/,
  );
  assertOnly(
    (c) => c.linux.namespaces[1].path = "/nonexistent/ns/net",
    "error",
    "/linux/namespaces/1/path",
    /does not exist/,
  );
});

const maps = [{ containerID: 0, hostID: 100000, size: 65536 }];

Deno.test("user namespace: mappings go with a new user namespace", () => {
  assertClean((c) => {
    c.linux.namespaces.push({ type: "user" });
    Object.assign(c.linux, { uidMappings: maps, gidMappings: maps });
  });
  assertOnly(
    (c) => c.linux.uidMappings = maps,
    "error",
    "/linux/uidMappings",
    /need a user namespace/,
  );
  assertOnly(
    (c) => c.linux.namespaces.push({ type: "user" }),
    "error",
    "/linux",
    /new user namespace needs uidMappings and gidMappings/,
  );
  assertOnly(
    (c) => {
      c.linux.namespaces.push({ type: "user" });
      c.linux.uidMappings = maps;
    },
    "error",
    "/linux/gidMappings",
    /required with the other mapping/,
  );
  assertOnly(
    (c) => {
      c.linux.namespaces.push({ type: "user", path: "/proc/self/ns/user" });
      c.linux.gidMappings = maps;
    },
    "warning",
    "/linux/gidMappings",
    /joined, not created/,
  );
});

Deno.test("ID mappings: sizes, ranges, overlaps, count", () => {
  const withMaps = (uid: object[]) => (c: Json) => {
    c.linux.namespaces.push({ type: "user" });
    Object.assign(c.linux, { uidMappings: uid, gidMappings: maps });
  };
  assertClean(withMaps([{ containerID: 0, hostID: 0, size: 4294967295 }]));
  assertOnly(
    withMaps([{ containerID: 0, hostID: 1000, size: 0 }]),
    "error",
    "/linux/uidMappings/0/size",
    /at least 1/,
  );
  assertOnly(
    withMaps([{ containerID: 1, hostID: 0, size: 4294967295 }]),
    "error",
    "/linux/uidMappings/0/size",
    /containerID \+ size runs past/,
  );
  assertOnly(
    withMaps([
      { containerID: 0, hostID: 1000, size: 10 },
      { containerID: 5, hostID: 5000, size: 10 },
    ]),
    "error",
    "/linux/uidMappings/1/containerID",
    /overlaps mapping 0/,
  );
  const many = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: i, size: 1 }));
  assertOnly(withMaps(many), "error", "/linux/uidMappings", /at most 340/);
});

Deno.test("timeOffsets need a new time namespace", () => {
  const offsets = { monotonic: { secs: 10, nanosecs: 0 } };
  assertClean((c) => {
    c.linux.namespaces.push({ type: "time" });
    c.linux.timeOffsets = offsets;
  });
  assertOnly((c) => c.linux.timeOffsets = offsets, "error", "/linux/timeOffsets", /time namespace/);
  assertOnly(
    (c) => {
      c.linux.namespaces.push({ type: "time", path: "/proc/self/ns/time" });
      c.linux.timeOffsets = offsets;
    },
    "error",
    "/linux/timeOffsets",
    /joined time namespace/,
  );
});

Deno.test("maskedPaths and readonlyPaths: absolute, inside a mount namespace", () => {
  assertClean((c) =>
    Object.assign(c.linux, { maskedPaths: ["/proc/kcore"], readonlyPaths: ["/proc/sys"] })
  );
  assertOnly(
    (c) => c.linux.maskedPaths = ["/proc/kcore", "proc/keys"],
    "error",
    "/linux/maskedPaths/1",
    /must be absolute/,
  );
  assertOnly(
    (c) => {
      dropNs(c, "mount");
      c.linux.readonlyPaths = ["/proc/sys"];
    },
    "error",
    "/linux/readonlyPaths",
    /needs a mount namespace/,
  );
});

Deno.test("hostname and domainname need a uts namespace and fit 64 bytes", () => {
  assertClean((c) => c.domainname = "example.org");
  assertOnly((c) => dropNs(c, "uts"), "error", "/hostname", /needs a uts namespace/);
  assertOnly((c) => c.domainname = "d".repeat(65), "error", "/domainname", /longer than 64/);
  // An empty hostname changes nothing, so it needs no namespace.
  assertClean((c) => {
    dropNs(c, "uts");
    c.hostname = "";
  });
});

Deno.test("annotations: keys must not be empty", () => {
  assertClean((c) => c.annotations = { "org.example.key": "v" });
  assertOnly((c) => c.annotations = { "": "v" }, "error", "/annotations/", /must not be empty/);
});

Deno.test("hooks: absolute paths, KEY=VALUE env, prestart deprecated", () => {
  assertClean((c) =>
    c.hooks = { createRuntime: [{ path: "/bin/true", env: ["A=1"], timeout: 5 }] }
  );
  assertOnly(
    (c) => c.hooks = { poststop: [{ path: "true" }] },
    "error",
    "/hooks/poststop/0/path",
    /hook path must be absolute/,
  );
  assertOnly(
    (c) => c.hooks = { poststart: [{ path: "/bin/true", env: ["X"] }] },
    "warning",
    "/hooks/poststart/0/env/0",
    /not KEY=VALUE/,
  );
  assertOnly(
    (c) => c.hooks = { prestart: [{ path: "/bin/true" }] },
    "warning",
    "/hooks/prestart",
    /deprecated/,
  );
});

Deno.test("devices: absolute paths, numbers for c/b/u, no duplicates", () => {
  const tty = { type: "c", path: "/dev/ttyX", major: 4, minor: 64 };
  assertClean((c) => c.linux.devices = [tty, { type: "p", path: "/dev/fifo" }]);
  assertOnly(
    (c) => c.linux.devices = [{ ...tty, path: "dev/tty" }],
    "error",
    "/linux/devices/0/path",
    /must be absolute/,
  );
  assertProblems(problemsAfter((c) => c.linux.devices = [{ type: "b", path: "/dev/sda" }]), [
    ["error", "/linux/devices/0/major", /required/],
    ["error", "/linux/devices/0/minor", /required/],
  ]);
  assertOnly(
    (c) => c.linux.devices = [{ ...tty, major: 4096 }],
    "error",
    "/linux/devices/0/major",
    /0\.\.4095/,
  );
  assertOnly(
    (c) => c.linux.devices = [tty, { ...tty, major: 5 }],
    "error",
    "/linux/devices/1/path",
    /already created by \/linux\/devices\/0/,
  );
  assertOnly(
    (c) => c.linux.devices = [tty, { ...tty, path: "/dev/other" }],
    "warning",
    "/linux/devices/1",
    /same type and numbers/,
  );
  // Podman sends the host node's st_mode (S_IFCHR|0644 = 8612): the type bits are dropped.
  assertClean((c) => c.linux.devices = [{ ...tty, fileMode: 8612 }]);
});

Deno.test("sysctl: only namespaced keys, with their namespace", () => {
  assertClean((c) =>
    c.linux.sysctl = {
      "net.ipv4.ip_forward": "1",
      "net/ipv4/conf/eth0.100/rp_filter": "0",
      "kernel.shmmax": "1",
      "fs.mqueue.msg_max": "10",
      "kernel.domainname": "x",
    }
  );
  assertOnly(
    (c) => c.linux.sysctl = { "vm.swappiness": "1" },
    "error",
    "/linux/sysctl/vm.swappiness",
    /not namespaced/,
  );
  assertOnly(
    (c) => {
      dropNs(c, "network");
      c.linux.sysctl = { "net.core.somaxconn": "1" };
    },
    "error",
    "/linux/sysctl/net.core.somaxconn",
    /needs a network namespace/,
  );
  assertOnly(
    (c) => {
      c.linux.namespaces[1].path = "/proc/self/ns/net";
      c.linux.sysctl = { "net.core.somaxconn": "1" };
    },
    "error",
    "/linux/sysctl/net.core.somaxconn",
    /network namespace tsrun runs in/,
  );
  assertOnly(
    (c) => {
      dropNs(c, "ipc");
      c.linux.sysctl = { "kernel.msgmax": "1" };
    },
    "error",
    "/linux/sysctl/kernel.msgmax",
    /needs a ipc namespace/,
  );
  assertOnly(
    (c) => c.linux.sysctl = { "kernel.hostname": "x" },
    "error",
    "/linux/sysctl/kernel.hostname",
    /use the hostname field/,
  );
  assertOnly(
    (c) => c.linux.sysctl = { "user.max_user_namespaces": "0" },
    "error",
    "/linux/sysctl/user.max_user_namespaces",
    /needs a user namespace/,
  );
});

// While seccomp was not applied, every seccomp case also carried that problem.
const seccompPending = unlessImplemented(IMPLEMENTED.seccomp, [
  "error",
  "/linux/seccomp",
  /seccomp is not implemented/,
]);

function seccomp(s: object, ...expected: [string, string, RegExp][]) {
  assertProblems(
    problemsAfter((c) => c.linux.seccomp = s),
    [...(expected as [never, string, RegExp][]), ...seccompPending],
  );
}

Deno.test("seccomp: a Docker-like profile has no problems of its own", () => {
  seccomp({
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 1,
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    flags: ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
    syscalls: [
      { names: ["read", "write", "socketcall", "chown32", "clone3"], action: "SCMP_ACT_ALLOW" },
      {
        names: ["personality"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: 0, op: "SCMP_CMP_EQ" }],
      },
      { names: ["ptrace"], action: "SCMP_ACT_ERRNO", errnoRet: 1 },
    ],
  });
});

Deno.test("seccomp: errno only with actions that return one", () => {
  seccomp(
    { defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: 1 },
    ["error", "/linux/seccomp/defaultErrnoRet", /SCMP_ACT_ALLOW does not return an errno/],
  );
  seccomp(
    {
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["read"], action: "SCMP_ACT_KILL", errnoRet: 1 }],
    },
    ["error", "/linux/seccomp/syscalls/0/errnoRet", /does not return an errno/],
  );
});

Deno.test("seccomp: notify needs a listener, never as default or for write", () => {
  seccomp(
    {
      defaultAction: "SCMP_ACT_ALLOW",
      listenerPath: "/run/agent.sock",
      syscalls: [{ names: ["mount"], action: "SCMP_ACT_NOTIFY" }],
    },
  );
  seccomp(
    {
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["mount"], action: "SCMP_ACT_NOTIFY" }],
    },
    ["error", "/linux/seccomp/listenerPath", /required when a rule uses SCMP_ACT_NOTIFY/],
  );
  seccomp(
    { defaultAction: "SCMP_ACT_NOTIFY", listenerPath: "/s" },
    ["error", "/linux/seccomp/defaultAction", /cannot be the default action/],
  );
  seccomp(
    {
      defaultAction: "SCMP_ACT_ALLOW",
      listenerPath: "/s",
      syscalls: [{ names: ["write"], action: "SCMP_ACT_NOTIFY" }],
    },
    ["error", "/linux/seccomp/syscalls/0/names/0", /cannot be used for write/],
  );
  seccomp(
    { defaultAction: "SCMP_ACT_ALLOW", listenerPath: "/s" },
    ["warning", "/linux/seccomp/listenerPath", /unused/],
  );
  seccomp(
    { defaultAction: "SCMP_ACT_ALLOW", listenerMetadata: "x" },
    ["error", "/linux/seccomp/listenerMetadata", /without listenerPath/],
  );
});

Deno.test("seccomp: syscall names, argument indexes, enums", () => {
  seccomp(
    {
      defaultAction: "SCMP_ACT_ALLOW",
      architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
      syscalls: [{ names: ["openat", "open", "frobnicate", ""], action: "SCMP_ACT_LOG" }],
    },
    [
      "warning",
      "/linux/seccomp/syscalls/0/names/2",
      /unknown syscall "frobnicate" on x86_64, aarch64/,
    ],
    ["error", "/linux/seccomp/syscalls/0/names/3", /empty syscall name/],
  );
  seccomp(
    {
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{
        names: ["read"],
        action: "SCMP_ACT_KILL",
        args: [{ index: 6, value: 0, op: "SCMP_CMP_EQ" }],
      }],
    },
    ["error", "/linux/seccomp/syscalls/0/args/0/index", /0\.\.5, got 6/],
  );
  seccomp(
    { defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X86"] },
    ["warning", "/linux/seccomp/architectures/1", /listed twice/],
  );
  seccomp(
    { defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"] },
    ["warning", "/linux/seccomp/architectures/1", /SCMP_ARCH_ARM is not supported, .* killed/],
  );
  // Structural: these stop the parse, so only the schema error is reported.
  assertOnly(
    (c) => c.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", architectures: ["x86_64"] },
    "error",
    "/linux/seccomp/architectures/0",
    /unknown seccomp architecture "x86_64"/,
  );
  assertOnly(
    (c) =>
      c.linux.seccomp = {
        defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{
          names: ["read"],
          action: "SCMP_ACT_ALLOW",
          args: [{ index: 0, value: 1, op: "EQ" }],
        }],
      },
    "error",
    "/linux/seccomp/syscalls/0/args/0/op",
    /unknown seccomp operator "EQ"/,
  );
  assertOnly(
    (c) => c.linux.seccomp = { defaultAction: "SCMP_ACT_ALLOW", flags: ["TSYNC"] },
    "error",
    "/linux/seccomp/flags/0",
    /unknown seccomp flag/,
  );
  assertOnly(
    (c) =>
      c.linux.seccomp = {
        defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{ names: [], action: "SCMP_ACT_ALLOW" }],
      },
    "error",
    "/linux/seccomp/syscalls/0/names",
    /at least one syscall/,
  );
});

Deno.test("netDevices: a network namespace and valid interface names", () => {
  const pending = unlessImplemented(IMPLEMENTED.netDevices, [
    "warning",
    "/linux/netDevices",
    /not implemented/,
  ]);
  assertProblems(problemsAfter((c) => c.linux.netDevices = { eth1: { name: "ctr0" } }), pending);
  assertProblems(
    problemsAfter((c) => c.linux.netDevices = { "bad/name": {}, eth1: { name: "x".repeat(16) } }),
    [
      ["error", "/linux/netDevices/bad~1name", /contains "\/"/],
      ["error", "/linux/netDevices/eth1/name", /longer than 15 bytes/],
      ...pending,
    ],
  );
  assertProblems(
    problemsAfter((c) => {
      dropNs(c, "network");
      c.linux.netDevices = { eth1: {} };
    }),
    [["error", "/linux/netDevices", /needs a network namespace/], ...pending],
  );
});

Deno.test("intelRdt: closID is a resctrl group name", () => {
  const pending = unlessImplemented(IMPLEMENTED.intelRdt, [
    "warning",
    "/linux/intelRdt",
    /not implemented/,
  ]);
  assertProblems(
    problemsAfter((c) => c.linux.intelRdt = { closID: "gold", l3CacheSchema: "L3:0=ff" }),
    pending,
  );
  assertProblems(problemsAfter((c) => c.linux.intelRdt = { closID: "../x" }), [
    ["error", "/linux/intelRdt/closID", /not a resctrl group name/],
    ...pending,
  ]);
  assertOnly(
    (c) => c.linux.intelRdt = { memBwSchema: "L3:0=1" },
    "error",
    "/linux/intelRdt/memBwSchema",
    /must start with "MB:"/,
  );
});

Deno.test("personality: flags are not supported", () => {
  assertProblems(
    problemsAfter((c) => c.linux.personality = { domain: "LINUX32" }),
    notApplied("/linux/personality"),
  );
  assertProblems(problemsAfter((c) => c.linux.personality = { domain: "LINUX", flags: ["x"] }), [
    ["warning", "/linux/personality/flags", /not supported/],
    ...notApplied("/linux/personality"),
  ]);
});

Deno.test("cgroupsPath: no .. components, systemd form flagged", () => {
  assertClean((c) => c.linux.cgroupsPath = "/tsrun/c1");
  assertClean((c) => c.linux.cgroupsPath = "relative/c1");
  assertOnly((c) => c.linux.cgroupsPath = "/a/../../b", "error", "/linux/cgroupsPath", /"\.\."/);
  assertOnly(
    (c) => c.linux.cgroupsPath = "system.slice:tsrun:c1",
    "warning",
    "/linux/cgroupsPath",
    /systemd/,
  );
});

Deno.test("resources: the cgroup module's checks run at /linux/resources", () => {
  assertClean((c) => c.linux.resources = { pids: { limit: 100 } });
  assertOnly(
    (c) => c.linux.resources = { memory: { swappiness: 200 } },
    "error",
    "/linux/resources/memory/swappiness",
    /0\.\.100/,
  );
});

Deno.test("security policies tsrun cannot apply are errors", () => {
  assertProblems(
    problemsAfter((c) => c.process.apparmorProfile = "docker-default"),
    unlessImplemented(IMPLEMENTED.apparmor, [
      "error",
      "/process/apparmorProfile",
      /AppArmor is not implemented/,
    ]),
  );
  assertProblems(
    problemsAfter((c) => c.process.selinuxLabel = "system_u:system_r:container_t:s0"),
    unlessImplemented(IMPLEMENTED.selinux, [
      "error",
      "/process/selinuxLabel",
      /SELinux is not implemented/,
    ]),
  );
  assertProblems(
    problemsAfter((c) => c.linux.mountLabel = "system_u:object_r:container_file_t:s0"),
    unlessImplemented(IMPLEMENTED.selinux, ["warning", "/linux/mountLabel", /ignored/]),
  );
});

Deno.test("root: required, an existing directory, relative to the bundle", () => {
  assertClean((c) => c.root.path = `${BUNDLE}/rootfs`);
  assertOnly((c) => delete c.root, "error", "/root", /required on Linux/);
  assertOnly((c) => c.root.path = "", "error", "/root/path", /must not be empty/);
  assertOnly(
    (c) => c.root.path = "nope",
    "error",
    "/root/path",
    new RegExp(`${BUNDLE}/nope does not exist`),
  );
  Deno.writeTextFileSync(`${BUNDLE}/file`, "");
  assertOnly((c) => c.root.path = "file", "error", "/root/path", /is not a directory/);
  // A relative path that climbs out of the bundle, even to a directory that exists.
  const name = BUNDLE.split("/").at(-1);
  for (const path of ["..", `../${name}/rootfs/../..`, "rootfs/../../tmp"]) {
    assertOnly((c) => c.root.path = path, "error", "/root/path", /leaves the bundle/);
  }
  assertClean((c) => c.root.path = "./rootfs/../rootfs/");
});
