// The systemd driver's pure parts: unit names and where systemd puts them, and the unit
// properties a config's resources become.
import assert from "node:assert/strict";
import { slicePath, unitFor } from "../../runtime/cgroups/systemd/unit.ts";
import {
  cpusetMask,
  deviceProperties,
  INFINITY,
  resourceProperties,
} from "../../runtime/cgroups/systemd/properties.ts";
import { normalizeDeviceRules } from "../../runtime/cgroups/devices.ts";

Deno.test("slice names expand to their place in the tree, as systemd does", () => {
  assert.equal(slicePath("-.slice"), "");
  assert.equal(slicePath("system.slice"), "/system.slice");
  assert.equal(slicePath("a-b.slice"), "/a.slice/a-b.slice");
  assert.equal(
    slicePath("kubepods-besteffort-pod1.slice"),
    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice",
  );
  assert.throws(() => slicePath("a--b.slice"), /slice "a--b.slice" has an empty part/);
  assert.throws(() => slicePath("-a.slice"), /empty part/);
  assert.throws(() => slicePath("a.service"), /must end in ".slice"/);
  assert.throws(() => slicePath("a/b.slice"), /not a valid unit name/);
});

Deno.test("cgroupsPath slice:prefix:name names the scope; empty gets tsrun's default", () => {
  assert.deepEqual(unitFor("machine.slice:libpod:abc", "id"), {
    name: "libpod-abc.scope",
    slice: "machine.slice",
    path: "/machine.slice/libpod-abc.scope",
  });
  assert.deepEqual(unitFor(undefined, "c1"), {
    name: "tsrun-c1.scope",
    slice: "system.slice",
    path: "/system.slice/tsrun-c1.scope",
  });
  assert.equal(unitFor(":docker:x", "id").slice, "system.slice");
  assert.equal(unitFor("-.slice::x", "id").path, "/x.scope");
  assert.throws(() => unitFor("/a/b", "id"), /needs the form "slice:prefix:name"/);
  assert.throws(() => unitFor("a.slice:p:", "id"), /the name part is empty/);
  assert.throws(() => unitFor("a.slice:p:b.slice", "id"), /a slice as the container's own unit/);
  assert.throws(() => unitFor("a.slice:p:b c", "id"), /"p-b c.scope" is not a valid unit name/);
});

Deno.test("cpusets become systemd's bitmasks", () => {
  assert.deepEqual(cpusetMask("0", "cpu.cpus"), [1]);
  assert.deepEqual(cpusetMask("0-2,9", "cpu.cpus"), [7, 2]);
  assert.throws(() => cpusetMask("2-1", "cpu.cpus"), /linux.resources.cpu.cpus: "2-1" is not/);
});

Deno.test("resources map to v1 properties on v1 and hybrid hosts, v2 ones on v2", () => {
  const r = {
    memory: { limit: 1 << 20, reservation: 1 << 19, swap: 1 << 21 },
    cpu: { shares: 1024, quota: 25_000, period: 100_000, cpus: "1" },
    pids: { limit: 10 },
    blockIO: { weight: 500 },
  };
  assert.deepEqual(Object.fromEntries(resourceProperties(r, "hybrid")), {
    MemoryLimit: ["t", 1n << 20n],
    CPUShares: ["t", 1024n],
    CPUQuotaPeriodUSec: ["t", 100_000n],
    CPUQuotaPerSecUSec: ["t", 250_000n],
    TasksMax: ["t", 10n],
    BlockIOWeight: ["t", 500n],
  });
  assert.deepEqual(Object.fromEntries(resourceProperties(r, "v2")), {
    MemoryMax: ["t", 1n << 20n],
    MemoryLow: ["t", 1n << 19n],
    MemorySwapMax: ["t", 1n << 20n],
    CPUWeight: ["t", 100n],
    CPUQuotaPeriodUSec: ["t", 100_000n],
    CPUQuotaPerSecUSec: ["t", 250_000n],
    AllowedCPUs: ["ay", [2]],
    TasksMax: ["t", 10n],
    IOWeight: ["t", 4950n],
  });
  // -1 is unlimited; systemd keeps quotas in 10 ms steps, rounded up.
  assert.deepEqual(
    resourceProperties({ memory: { limit: -1 }, cpu: { quota: 1234, period: 100_000 } }, "v1"),
    [["MemoryLimit", ["t", INFINITY]], [
      "CPUQuotaPeriodUSec",
      ["t", 100_000n],
    ], ["CPUQuotaPerSecUSec", ["t", 20_000n]]],
  );
  assert.deepEqual(resourceProperties({}, "v2"), []);
});

const PROC_DEVICES = "Character devices:\n  1 mem\n136 pts\n\nBlock devices:\n  8 sd\n";

Deno.test("a deny-all device list becomes DevicePolicy=strict with its allows", () => {
  const props = deviceProperties(
    normalizeDeviceRules([
      { allow: false, access: "rwm" },
      { allow: true, type: "c", major: 10, minor: 200, access: "rw" },
      { allow: true, type: "b", major: 8, access: "r" },
    ]),
    PROC_DEVICES,
  );
  const allow = props[1][1][1] as [string, string][];
  assert.deepEqual(props[0], ["DevicePolicy", ["s", "strict"]]);
  assert.deepEqual(allow.slice(0, 5), [
    ["/dev/char/10:200", "rw"],
    ["block-sd", "r"],
    ["char-*", "m"],
    ["block-*", "m"],
    ["/dev/char/1:3", "rwm"],
  ]);
  assert.ok(allow.some(([node]) => node === "char-pts"), "pts by its /proc/devices name");
});

Deno.test("denies of single devices, which systemd cannot express, never widen to allow-all", () => {
  const auto = [["DevicePolicy", ["s", "auto"]], ["DeviceAllow", ["a(ss)", []]]];
  const deny13 = { allow: false, type: "c", major: 1, minor: 3, access: "rwm" };
  // Everything allowed (privileged), also with one device denied after it: systemd allows all.
  assert.deepEqual(deviceProperties(normalizeDeviceRules([{ allow: true }]), ""), auto);
  assert.deepEqual(deviceProperties(normalizeDeviceRules([{ allow: true }, deny13]), ""), auto);
  // Default deny: the deny is dropped, systemd allows only what is allowed.
  const props = deviceProperties(
    normalizeDeviceRules([{ allow: false }, { allow: true, type: "c", major: 1 }, deny13]),
    PROC_DEVICES,
  );
  assert.deepEqual(props[0], ["DevicePolicy", ["s", "strict"]]);
  assert.deepEqual((props[1][1][1] as [string, string][])[0], ["char-mem", "rwm"]);
});
