import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type MountStep, planRootfs, type SetupStep } from "../../init/plan.ts";
import type { Config } from "../../specs/schema/config.ts";
import { MS } from "../../syscalls/mount.ts";

const base = (extra: Partial<Config> = {}): Config => ({
  ociVersion: "1.2.0",
  root: { path: "rootfs" },
  process: { args: ["sh"], cwd: "/", user: { uid: 0, gid: 0 } },
  mounts: [
    { destination: "/proc", type: "proc", source: "proc" },
    { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"] },
  ],
  linux: { namespaces: [{ type: "mount" }, { type: "uts" }] },
  ...extra,
} as Config);

const ops = (steps: SetupStep[]): string[] => steps.map((s) => s.op);
const mounts = (steps: SetupStep[]) => steps.filter((s): s is MountStep => s.op === "mount");

Deno.test("order: mounts, /dev, hooks, pivot, then runc's finishing order", () => {
  const steps = planRootfs(
    base({
      hostname: "box",
      root: { path: "rootfs", readonly: true },
      linux: {
        namespaces: [{ type: "mount" }, { type: "uts" }],
        maskedPaths: ["/proc/kcore"],
        readonlyPaths: ["/proc/sys"],
        sysctl: { "net.ipv4.ip_forward": "1" },
      },
    }),
    { noPivot: false },
  );
  const o = ops(steps);
  assertEquals(o.slice(0, 4), ["propagation", "bind-rootfs", "mount", "mount"]);
  assert(o.indexOf("device") > o.lastIndexOf("mount"));
  assert(o.indexOf("ptmx") > o.lastIndexOf("device"));
  assertEquals(
    steps.filter((s) => s.op === "hooks").map((s) => s.op === "hooks" && s.phase),
    ["prestart", "createRuntime", "createContainer"],
  );
  assert(o.indexOf("pivot-root") > o.lastIndexOf("hooks"));
  const after = o.slice(o.indexOf("pivot-root") + 1);
  assertEquals(after, [
    "reopen-dev-null",
    "mkdir",
    "root-readonly",
    "hostname",
    "sysctl",
    "readonly",
    "mask",
  ]);
  assertEquals(steps[0], { op: "propagation", flags: MS.SLAVE | MS.REC });
});

Deno.test("/dev: defaults, ptmx and links unless bound from the host; config devices win", () => {
  const withTmpfs = planRootfs(
    base({
      linux: {
        namespaces: [{ type: "mount" }],
        devices: [
          { path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o600, uid: 5 },
          { path: "/dev/ptmx", type: "c", major: 5, minor: 2 },
          { path: "/dev/fuse", type: "c", major: 10, minor: 229 },
        ],
      },
    }),
    { noPivot: false },
  );
  const devs = withTmpfs.flatMap((s) => s.op === "device" ? [[s.path, s.mode, s.uid]] : []);
  assertEquals(devs, [
    ["/dev/zero", 0o666, 0],
    ["/dev/full", 0o666, 0],
    ["/dev/random", 0o666, 0],
    ["/dev/urandom", 0o666, 0],
    ["/dev/tty", 0o666, 0],
    ["/dev/null", 0o600, 5],
    ["/dev/fuse", 0o666, 0],
  ]);
  assert(withTmpfs.some((s) => s.op === "ptmx"));
  const links = withTmpfs.flatMap((s) => s.op === "symlink" ? [`${s.path}->${s.target}`] : []);
  assertEquals(links, [
    "/dev/fd->/proc/self/fd",
    "/dev/stdin->/proc/self/fd/0",
    "/dev/stdout->/proc/self/fd/1",
    "/dev/stderr->/proc/self/fd/2",
    "/dev/core->/proc/kcore",
  ]);
  const bindDev = planRootfs(
    base({ mounts: [{ destination: "/dev/", type: "bind", source: "/dev", options: ["rbind"] }] }),
    { noPivot: false },
  );
  assertEquals(ops(bindDev).filter((o) => ["device", "ptmx", "symlink"].includes(o)), []);
  // No /dev mount at all: runc still creates the defaults (in the rootfs's own /dev).
  const noDev = planRootfs(base({ mounts: [] }), { noPivot: false });
  assertEquals(noDev.filter((s) => s.op === "device").length, 6);
});

Deno.test("mount steps: bind detection, relative sources, delayed read-only, labels", () => {
  const steps = planRootfs(
    base({
      mounts: [
        { destination: "/data", source: "data", options: ["rbind", "ro"] },
        { destination: "/abs", type: "bind", source: "/srv/x" },
        { destination: "/t", type: "tmpfs", source: "tmpfs", options: ["ro", "size=1m"] },
        { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["ro"] },
        { destination: "/p", type: "proc", source: "proc", options: ["ro"] },
      ],
      linux: { namespaces: [{ type: "mount" }], mountLabel: "system_u:object_r:x:s0" },
    }),
    { noPivot: false, bundle: "/b" },
  );
  const m = mounts(steps);
  assertEquals(m.map((s) => [s.source, s.bind, s.delayReadonly]), [
    ["/b/data", true, false],
    ["/srv/x", true, false],
    ["tmpfs", false, true],
    ["tmpfs", false, true],
    ["proc", false, false],
  ]);
  assertEquals(m[2].options.data, 'size=1m,context="system_u:object_r:x:s0"');
  assertEquals(m[4].options.data, "", "proc keeps its own labels");
  assertEquals(
    steps.flatMap((s) => s.op === "remount-readonly" ? [s.path] : []),
    ["/t", "/dev"],
  );
});

Deno.test("idmap: the mount's own mappings, recursive with ridmap", () => {
  const map = [{ containerID: 0, hostID: 1000, size: 10 }];
  const m = mounts(planRootfs(
    base({
      mounts: [
        { destination: "/a", type: "bind", source: "/x", options: ["bind", "idmap"] },
        {
          destination: "/b",
          type: "bind",
          source: "/x",
          options: ["rbind", "ridmap"],
          uidMappings: map,
          gidMappings: map,
        },
        { destination: "/c", type: "bind", source: "/x", options: ["bind"] },
      ],
    }),
    { noPivot: false },
  ));
  assertEquals(m[0].idmap, { uidMappings: undefined, gidMappings: undefined, recursive: false });
  assertEquals(m[1].idmap, { uidMappings: map, gidMappings: map, recursive: true });
  assertEquals(m[2].idmap, undefined);
});

Deno.test("--no-pivot moves the root instead; hostname needs a uts namespace", () => {
  const steps = planRootfs(base({ hostname: "box", linux: { namespaces: [{ type: "mount" }] } }), {
    noPivot: true,
  });
  assert(ops(steps).includes("move-root"));
  assert(!ops(steps).includes("pivot-root"));
  assert(!ops(steps).includes("hostname"));
});

Deno.test("rootfsPropagation: private/slave up front, shared/unbindable after the pivot", () => {
  type Propagation = NonNullable<NonNullable<Config["linux"]>["rootfsPropagation"]>;
  const plan = (p: Propagation) =>
    planRootfs(base({ linux: { namespaces: [{ type: "mount" }], rootfsPropagation: p } }), {
      noPivot: false,
    });
  const priv = plan("rprivate");
  assertEquals(priv[0], { op: "propagation", flags: MS.PRIVATE | MS.REC });
  assert(!ops(priv).includes("rootfs-propagation"));
  assertEquals(plan("slave")[0], { op: "propagation", flags: MS.SLAVE | MS.REC });
  const later: [Propagation, number][] = [["shared", MS.SHARED], [
    "runbindable",
    MS.UNBINDABLE | MS.REC,
  ]];
  for (const [name, flags] of later) {
    const steps = plan(name);
    assertEquals(steps[0], { op: "propagation", flags: MS.SLAVE | MS.REC });
    const o = ops(steps);
    assert(o.indexOf("rootfs-propagation") > o.indexOf("pivot-root"));
    assertEquals(steps.find((s) => s.op === "rootfs-propagation"), {
      op: "rootfs-propagation",
      flags,
    });
  }
});

Deno.test("no mount namespace: hooks, chroot, no mounts, devices or masks", () => {
  const steps = planRootfs(
    base({
      hostname: "box",
      root: { path: "rootfs", readonly: true },
      linux: {
        namespaces: [{ type: "uts" }],
        maskedPaths: ["/proc/kcore"],
        sysctl: { "kernel.domainname": "x" },
      },
    }),
    { noPivot: false },
  );
  assertEquals(ops(steps), [
    "hooks",
    "hooks",
    "hooks",
    "chroot",
    "mkdir",
    "hostname",
    "sysctl",
  ]);
});
