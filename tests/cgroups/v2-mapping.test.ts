// linux.resources → cgroup v2 writes, field by field, and the v1 → v2 value conversions.
import assert from "node:assert/strict";
import { blkioToIoWeight, sharesToWeight, swapToV2 } from "../../runtime/cgroups/convert.ts";
import { v2Mappers, v2Writes } from "../../runtime/cgroups/v2-resources.ts";
import { flat, hostWith } from "./fake-host.ts";

Deno.test("shares → weight: runc's curve (min, default and max land on v2's)", () => {
  assert.equal(sharesToWeight(0), 0);
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(1024), 100);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(sharesToWeight(512), 59);
  assert.equal(sharesToWeight(4096), 303);
  let last = 0;
  for (let s = 2; s <= 262144; s *= 2) {
    assert.ok(sharesToWeight(s) > last, `monotonic at ${s}`);
    last = sharesToWeight(s);
  }
});

Deno.test("blkio weight → io.weight: linear 10..1000 → 1..10000", () => {
  assert.equal(blkioToIoWeight(10), 1);
  assert.equal(blkioToIoWeight(500), 4950);
  assert.equal(blkioToIoWeight(1000), 10000);
  assert.equal(blkioToIoWeight(0), 0);
});

Deno.test("memsw → memory.swap.max: swap alone, with v1's special cases", () => {
  assert.equal(swapToV2(3000, 1000), 2000);
  assert.equal(swapToV2(1000, 1000), 0);
  assert.equal(swapToV2(-1, 1000), -1);
  assert.equal(swapToV2(0, -1), -1, "unlimited memory and swap unset: both unlimited");
  assert.equal(swapToV2(5000, -1), 5000);
  assert.throws(() => swapToV2(500, 1000), /memory\.swap: must be >= memory\.limit/);
  assert.throws(() => swapToV2(500, 0), /needs memory\.limit/);
});

Deno.test("v2 memory: max, swap.max (swap only), low", () => {
  const w = v2Mappers.memory(
    { memory: { limit: 1000, swap: 3000, reservation: 500, kernel: 5 } },
    hostWith(["memory.swap.max"]),
  );
  assert.deepEqual(flat(w), ["memory.swap.max=2000", "memory.max=1000", "memory.low=500"]);
  assert.deepEqual(
    flat(v2Mappers.memory({ memory: { limit: -1 } }, hostWith(["memory.swap.max"]))),
    ["memory.swap.max=max", "memory.max=max"],
  );
  assert.deepEqual(
    flat(v2Mappers.memory({ memory: { limit: 1000, swap: 1000 } }, hostWith(["memory.swap.max"]))),
    ["memory.swap.max=0", "memory.max=1000"],
    "swap == limit means no swap at all",
  );
});

Deno.test("v2 memory: no swap accounting is fine unless a real swap amount is asked", () => {
  assert.deepEqual(flat(v2Mappers.memory({ memory: { limit: -1 } }, hostWith())), [
    "memory.max=max",
  ]);
  assert.throws(
    () => v2Mappers.memory({ memory: { limit: 10, swap: 20 } }, hostWith()),
    /linux\.resources\.memory\.swap: swap accounting is off/,
  );
});

Deno.test("v2 memory: v1-only fields are errors naming the field", () => {
  const bad = [
    [{ swappiness: 10 }, /memory\.swappiness: has no cgroup v2 equivalent/],
    [{ disableOOMKiller: true }, /memory\.disableOOMKiller/],
    [{ useHierarchy: false }, /memory\.useHierarchy: cgroup v2 memory accounting is always/],
  ] as const;
  for (const [memory, re] of bad) assert.throws(() => v2Mappers.memory({ memory }, hostWith()), re);
  assert.deepEqual(
    v2Mappers.memory({ memory: { disableOOMKiller: false, useHierarchy: true } }, hostWith()),
    [],
  );
});

Deno.test("v2 memory: checkBeforeUpdate refuses a limit below current usage", () => {
  const host = hostWith([], { "memory.current": "5000" });
  assert.throws(
    () => v2Mappers.memory({ memory: { limit: 4000, checkBeforeUpdate: true } }, host),
    /memory\.limit: 4000 is below the current usage 5000/,
  );
  assert.deepEqual(
    flat(v2Mappers.memory({ memory: { limit: 4000 } }, host)),
    ["memory.max=4000"],
    "without the flag v2 takes the limit (and reclaims)",
  );
});

Deno.test("v2 cpu: weight from shares, cpu.max from quota/period, burst, idle", () => {
  const w = v2Mappers.cpu({
    cpu: { shares: 1024, quota: 50000, period: 200000, burst: 1000, idle: 0 },
  }, hostWith());
  assert.deepEqual(flat(w), [
    "cpu.weight=100",
    "cpu.idle=0",
    "cpu.max.burst=1000",
    "cpu.max=50000 200000",
  ]);
  assert.deepEqual(flat(v2Mappers.cpu({ cpu: { quota: -1 } }, hostWith())), ["cpu.max=max 100000"]);
  assert.deepEqual(flat(v2Mappers.cpu({ cpu: { period: 50000 } }, hostWith())), [
    "cpu.max=max 50000",
  ]);
  assert.throws(
    () => v2Mappers.cpu({ cpu: { realtimeRuntime: 1 } }, hostWith()),
    /cpu\.realtimeRuntime/,
  );
  assert.throws(
    () => v2Mappers.cpu({ cpu: { realtimePeriod: 1 } }, hostWith()),
    /cpu\.realtimePeriod/,
  );
  assert.deepEqual(flat(v2Mappers.cpuset({ cpu: { cpus: "1", mems: "0" } }, hostWith())), [
    "cpuset.cpus=1",
    "cpuset.mems=0",
  ]);
});

Deno.test("v2 pids", () => {
  assert.deepEqual(flat(v2Writes({ pids: { limit: -1 } }, hostWith())), ["pids.max=max"]);
  assert.deepEqual(flat(v2Writes({ pids: { limit: 0 } }, hostWith())), ["pids.max=0"]);
});

Deno.test("v2 io: converted io.weight, or BFQ's own scale; io.max throttles", () => {
  const blockIO = {
    weight: 500,
    weightDevice: [{ major: 8, minor: 0, weight: 100 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1000 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 2000 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 30 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 40 }],
  };
  assert.deepEqual(flat(v2Mappers.blockIO({ blockIO }, hostWith())), [
    "io.weight=4950",
    "io.weight=8:0 910",
    "io.max=8:0 rbps=1000",
    "io.max=8:0 wbps=2000",
    "io.max=8:0 riops=30",
    "io.max=8:0 wiops=40",
  ]);
  const bfq = v2Mappers.blockIO(
    { blockIO: { weight: 500, weightDevice: blockIO.weightDevice } },
    hostWith(["io.bfq.weight"]),
  );
  assert.deepEqual(flat(bfq), ["io.bfq.weight=500", "io.bfq.weight=8:0 100"]);
  assert.throws(
    () => v2Mappers.blockIO({ blockIO: { leafWeight: 10 } }, hostWith()),
    /blockIO\.leafWeight/,
  );
  assert.throws(
    () =>
      v2Mappers.blockIO(
        { blockIO: { weightDevice: [{ major: 1, minor: 2, leafWeight: 10 }] } },
        hostWith(),
      ),
    /blockIO\.weightDevice\[0\]\.leafWeight/,
  );
});

Deno.test("v2 hugetlb: .max, and .rsvd.max when present", () => {
  const r = { hugepageLimits: [{ pageSize: "1GB", limit: 1073741824 }] };
  assert.deepEqual(flat(v2Mappers.hugepageLimits(r, hostWith())), ["hugetlb.1GB.max=1073741824"]);
  assert.deepEqual(flat(v2Mappers.hugepageLimits(r, hostWith(["hugetlb.1GB.rsvd.max"]))), [
    "hugetlb.1GB.max=1073741824",
    "hugetlb.1GB.rsvd.max=1073741824",
  ]);
});

Deno.test("v2 network: net_cls/net_prio do not exist on v2", () => {
  assert.throws(() => v2Writes({ network: { classID: 1 } }, hostWith()), /network\.classID/);
  assert.throws(
    () => v2Writes({ network: { priorities: [{ name: "eth0", priority: 1 }] } }, hostWith()),
    /network\.priorities/,
  );
  assert.deepEqual(v2Writes({ network: { priorities: [] } }, hostWith()), []);
});

Deno.test("v2 rdma and unified keys (multi-line values written line by line)", () => {
  assert.deepEqual(flat(v2Writes({ rdma: { mlx4_0: { hcaObjects: 1000 } } }, hostWith())), [
    "rdma.max=mlx4_0 hca_object=1000",
  ]);
  const w = v2Mappers.unified({
    unified: {
      "io.max": "259:0 rbps=2097152\n253:0 wiops=120",
      "memory.high": "max",
      "cgroup.max.depth": "3",
    },
  }, hostWith());
  assert.deepEqual(flat(w), [
    "io.max=259:0 rbps=2097152",
    "io.max=253:0 wiops=120",
    "memory.high=max",
    "cgroup.max.depth=3",
  ]);
  assert.deepEqual(w.map((x) => x.controller), ["io", "io", "memory", "cgroup"]);
  assert.throws(
    () => v2Writes({ unified: { "../x.y": "1" } }, hostWith()),
    /unified\.\.\.\/x\.y: must be a cgroup file name/,
  );
  assert.throws(() => v2Writes({ unified: { nodot: "1" } }, hostWith()), /unified\.nodot/);
});

Deno.test("v2 writes come in application order across sections", () => {
  const w = v2Writes({
    pids: { limit: 5 },
    memory: { limit: 100 },
    cpu: { shares: 1024, cpus: "0" },
  }, hostWith());
  assert.deepEqual(flat(w), ["cpuset.cpus=0", "memory.max=100", "cpu.weight=100", "pids.max=5"]);
});
