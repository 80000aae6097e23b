// linux.resources → cgroup v1 writes, field by field.
import assert from "node:assert/strict";
import { v1Mappers, v1Writes } from "../../runtime/cgroups/v1-resources.ts";
import { flat, hostWith } from "./fake-host.ts";

const MEMSW = "memory.memsw.limit_in_bytes";

Deno.test("v1 devices: deny all first, rules in order, then the default devices", () => {
  const w = v1Writes({
    devices: [
      { allow: false, access: "rwm" },
      { allow: true, type: "c", major: 10, minor: 200, access: "rw" },
      { allow: true, type: "b", major: 8, access: "r" },
      { allow: false, type: "c", major: 10, minor: 200, access: "w" },
    ],
  }, hostWith());
  const f = flat(w);
  assert.deepEqual(f.slice(0, 5), [
    "devices.deny=a",
    "devices.deny=a",
    "devices.allow=c 10:200 rw",
    "devices.allow=b 8:* r",
    "devices.deny=c 10:200 w",
  ]);
  assert.ok(f.includes("devices.allow=c 1:3 rwm"), "/dev/null stays usable");
  assert.ok(f.includes("devices.allow=c 136:* rwm"), "ptys stay usable");
  assert.equal(w[2].field, "devices[1]");
  assert.equal(w.at(-1)!.field, "devices (default rules)");
  assert.deepEqual(v1Writes({}, hostWith()), [], "no devices list: the cgroup is left alone");
});

Deno.test("v1 devices: type a means every device, whatever the other fields say", () => {
  const w = v1Writes({ devices: [{ allow: true, type: "a", major: 1, access: "r" }] }, hostWith());
  assert.equal(flat(w)[1], "devices.allow=a");
});

Deno.test("v1 memory: limit, swap, reservation, swappiness, OOM killer, hierarchy", () => {
  const host = hostWith([MEMSW], { "memory.limit_in_bytes": "9223372036854771712" });
  const w = v1Mappers.memory({
    memory: {
      limit: 1000,
      swap: 3000,
      reservation: 500,
      swappiness: 10,
      disableOOMKiller: true,
      useHierarchy: true,
      kernel: 1,
      kernelTCP: 1,
      checkBeforeUpdate: true,
    },
  }, host);
  assert.deepEqual(flat(w), [
    "memory.limit_in_bytes=1000",
    `${MEMSW}=3000`,
    "memory.soft_limit_in_bytes=500",
    "memory.swappiness=10",
    "memory.oom_control=1",
    "memory.use_hierarchy=1",
  ]);
  assert.equal(w[1].field, "memory.swap");
});

Deno.test("v1 memory: swap goes first when it grows past the current limit", () => {
  const host = hostWith([MEMSW], { "memory.limit_in_bytes": "1000" });
  const w = v1Mappers.memory({ memory: { limit: 4000, swap: 8000 } }, host);
  assert.deepEqual(flat(w), [`${MEMSW}=8000`, "memory.limit_in_bytes=4000"]);
  const unlimited = v1Mappers.memory({ memory: { limit: 4000, swap: -1 } }, host);
  assert.deepEqual(flat(unlimited), [`${MEMSW}=-1`, "memory.limit_in_bytes=4000"]);
});

Deno.test("v1 memory: unlimited memory also lifts swap; swap without accounting fails", () => {
  const w = v1Mappers.memory({ memory: { limit: -1 } }, hostWith([MEMSW]));
  assert.deepEqual(flat(w), [`${MEMSW}=-1`, "memory.limit_in_bytes=-1"]);
  assert.deepEqual(flat(v1Mappers.memory({ memory: { limit: -1 } }, hostWith())), [
    "memory.limit_in_bytes=-1",
  ]);
  assert.throws(
    () => v1Mappers.memory({ memory: { limit: 10, swap: 20 } }, hostWith()),
    /linux\.resources\.memory\.swap: swap accounting is off/,
  );
  assert.deepEqual(
    flat(v1Mappers.memory({ memory: { disableOOMKiller: false } }, hostWith())),
    ["memory.oom_control=0"],
  );
});

Deno.test("v1 cpu: shares, cfs period/quota/burst, realtime, idle; cpuset", () => {
  const cpu = {
    shares: 512,
    period: 100000,
    quota: 50000,
    burst: 1000,
    realtimePeriod: 1000000,
    realtimeRuntime: 950000,
    idle: 1,
    cpus: "0-1",
    mems: "0",
  };
  const w = v1Mappers.cpu({ cpu }, hostWith());
  assert.deepEqual(flat(w), [
    "cpu.shares=512",
    "cpu.cfs_period_us=100000",
    "cpu.cfs_quota_us=50000",
    "cpu.cfs_burst_us=1000",
    "cpu.rt_period_us=1000000",
    "cpu.rt_runtime_us=950000",
    "cpu.idle=1",
  ]);
  assert.deepEqual(
    w.filter((x) => x.retryAfterRest).map((x) => x.file),
    ["cpu.cfs_period_us", "cpu.cfs_burst_us", "cpu.rt_period_us"],
  );
  assert.deepEqual(flat(v1Mappers.cpuset({ cpu }, hostWith())), [
    "cpuset.cpus=0-1",
    "cpuset.mems=0",
  ]);
  assert.deepEqual(v1Mappers.cpu({ cpu: { quota: 0, period: 0, shares: 0 } }, hostWith()), []);
});

Deno.test("v1 pids: -1 is max, 0 is a real limit", () => {
  assert.deepEqual(flat(v1Writes({ pids: { limit: -1 } }, hostWith())), ["pids.max=max"]);
  assert.deepEqual(flat(v1Writes({ pids: { limit: 0 } }, hostWith())), ["pids.max=0"]);
  assert.deepEqual(flat(v1Writes({ pids: { limit: 42 } }, hostWith())), ["pids.max=42"]);
  assert.deepEqual(flat(v1Writes({ pids: {} }, hostWith())), []);
});

Deno.test("v1 blkio: CFQ weight files, per-device weights and throttles", () => {
  const blockIO = {
    weight: 500,
    leafWeight: 300,
    weightDevice: [{ major: 8, minor: 0, weight: 600, leafWeight: 200 }],
    throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1000 }],
    throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 2000 }],
    throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 30 }],
    throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 40 }],
  };
  assert.deepEqual(flat(v1Mappers.blockIO({ blockIO }, hostWith(["blkio.weight"]))), [
    "blkio.weight=500",
    "blkio.leaf_weight=300",
    "blkio.weight_device=8:0 600",
    "blkio.leaf_weight_device=8:0 200",
    "blkio.throttle.read_bps_device=8:0 1000",
    "blkio.throttle.write_bps_device=8:16 2000",
    "blkio.throttle.read_iops_device=8:0 30",
    "blkio.throttle.write_iops_device=8:16 40",
  ]);
});

Deno.test("v1 blkio: BFQ-only kernels get the bfq weight files", () => {
  const w = v1Mappers.blockIO(
    { blockIO: { weight: 100, weightDevice: [{ major: 8, minor: 0, weight: 200 }] } },
    hostWith(["blkio.bfq.weight"]),
  );
  assert.deepEqual(flat(w), ["blkio.bfq.weight=100", "blkio.bfq.weight_device=8:0 200"]);
});

Deno.test("v1 hugetlb: usage limit, plus the reservation limit when the kernel has it", () => {
  const r = { hugepageLimits: [{ pageSize: "2MB", limit: 4194304 }] };
  assert.deepEqual(flat(v1Mappers.hugepageLimits(r, hostWith())), [
    "hugetlb.2MB.limit_in_bytes=4194304",
  ]);
  assert.deepEqual(
    flat(v1Mappers.hugepageLimits(r, hostWith(["hugetlb.2MB.rsvd.limit_in_bytes"]))),
    ["hugetlb.2MB.limit_in_bytes=4194304", "hugetlb.2MB.rsvd.limit_in_bytes=4194304"],
  );
});

Deno.test("v1 network: net_cls classid and net_prio ifpriomap", () => {
  const w = v1Mappers.network({
    network: { classID: 1048577, priorities: [{ name: "eth0", priority: 5 }] },
  }, hostWith());
  assert.deepEqual(flat(w), ["net_cls.classid=1048577", "net_prio.ifpriomap=eth0 5"]);
  assert.deepEqual(w.map((x) => x.controller), ["net_cls", "net_prio"]);
});

Deno.test("v1 rdma: one rdma.max line per device", () => {
  const w = v1Mappers.rdma({
    rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, rxe3: { hcaObjects: 7 } },
  }, hostWith());
  assert.deepEqual(flat(w), [
    "rdma.max=mlx5_1 hca_handle=3 hca_object=10000",
    "rdma.max=rxe3 hca_object=7",
  ]);
});

Deno.test("v1 unified: refused, naming the field", () => {
  assert.throws(
    () => v1Writes({ unified: { "memory.high": "1000" } }, hostWith()),
    /^CgroupError: linux\.resources\.unified: needs cgroup v2/,
  );
  assert.deepEqual(v1Writes({ unified: {} }, hostWith()), []);
});
