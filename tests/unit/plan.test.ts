import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { planRootfs, type SetupStep } from "../../init/plan.ts";
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

Deno.test("order: propagation, rootfs bind, mounts, devices, hooks, pivot, then the rest", () => {
  const steps = planRootfs(base({ hostname: "box" }), { noPivot: false });
  const o = ops(steps);
  assertEquals(o.slice(0, 4), ["propagation", "bind-rootfs", "mount", "mount"]);
  assert(o.indexOf("device") > o.lastIndexOf("mount"));
  assert(o.indexOf("pivot-root") > o.lastIndexOf("hooks"));
  assertEquals(o.at(-1), "hostname");
  assertEquals(steps[0], { op: "propagation", flags: MS.SLAVE | MS.REC });
});

Deno.test("a tmpfs /dev gets the default devices and symlinks; a bind /dev does not", () => {
  const withTmpfs = planRootfs(base(), { noPivot: false });
  const devs = withTmpfs.filter((s) => s.op === "device").map((s) => s.op === "device" && s.path);
  assertEquals(devs, [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
  ]);
  assert(withTmpfs.some((s) => s.op === "symlink" && s.path === "/dev/ptmx"));
  const bindDev = planRootfs(
    base({ mounts: [{ destination: "/dev", type: "bind", source: "/dev", options: ["rbind"] }] }),
    { noPivot: false },
  );
  assertEquals(bindDev.filter((s) => s.op === "device").length, 0);
});

Deno.test("--no-pivot moves the root instead; hostname needs a uts namespace", () => {
  const steps = planRootfs(base({ hostname: "box", linux: { namespaces: [{ type: "mount" }] } }), {
    noPivot: true,
  });
  assert(ops(steps).includes("move-root"));
  assert(!ops(steps).includes("pivot-root"));
  assert(!ops(steps).includes("hostname"));
});

Deno.test("rootfsPropagation: private applied up front, shared after the pivot", () => {
  const priv = planRootfs(base({ linux: { namespaces: [], rootfsPropagation: "rprivate" } }), {
    noPivot: false,
  });
  assertEquals(priv[0], { op: "propagation", flags: MS.PRIVATE | MS.REC });
  const shared = planRootfs(base({ linux: { namespaces: [], rootfsPropagation: "shared" } }), {
    noPivot: false,
  });
  assertEquals(shared[0], { op: "propagation", flags: MS.SLAVE | MS.REC });
  assertEquals(shared.find((s) => s.op === "rootfs-propagation"), {
    op: "rootfs-propagation",
    flags: MS.SHARED,
  });
});

Deno.test("masked and readonly paths, sysctls and a read-only root come after the pivot", () => {
  const steps = planRootfs(
    base({
      root: { path: "rootfs", readonly: true },
      linux: {
        namespaces: [],
        maskedPaths: ["/proc/kcore"],
        readonlyPaths: ["/proc/sys"],
        sysctl: { "net.ipv4.ip_forward": "1" },
      },
    }),
    { noPivot: false },
  );
  const o = ops(steps);
  const pivot = o.indexOf("pivot-root");
  for (const op of ["mask", "readonly", "sysctl", "root-readonly"]) {
    assert(o.indexOf(op) > pivot, op);
  }
});
