// specs/resources.ts: the linux.resources schema and its semantic checks.
import assert from "node:assert/strict";
import { LinuxResourcesSchema } from "../../specs/resources.ts";
import { checkResources, isCpuList } from "../../specs/semantic/resources.ts";

const parse = (v: unknown) => LinuxResourcesSchema.safeParse(v);

Deno.test("schema: the runtime-spec example parses, unknown keys are kept and ignored", () => {
  const r = parse({
    devices: [{ allow: false, access: "rwm" }, {
      allow: true,
      type: "c",
      major: 10,
      minor: 229,
      access: "rw",
    }],
    memory: {
      limit: 536870912,
      reservation: 536870912,
      swap: 536870912,
      kernel: -1,
      kernelTCP: -1,
      swappiness: 0,
      disableOOMKiller: false,
    },
    cpu: {
      shares: 1024,
      quota: 1000000,
      burst: 1000000,
      period: 500000,
      realtimeRuntime: 950000,
      realtimePeriod: 1000000,
      cpus: "2-3",
      mems: "0-7",
      idle: 0,
    },
    pids: { limit: 32771 },
    blockIO: {
      weight: 10,
      leafWeight: 10,
      weightDevice: [{ major: 8, minor: 0, weight: 500, leafWeight: 300 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
    },
    hugepageLimits: [{ pageSize: "2MB", limit: 209715200 }],
    network: { classID: 1048577, priorities: [{ name: "eth0", priority: 500 }] },
    rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 } },
    unified: { "io.max": "259:0 rbps=2097152" },
    futureThing: { x: 1 },
  });
  assert.ok(r.success, JSON.stringify(r.error?.issues));
  assert.deepEqual((r.data as Record<string, unknown>).futureThing, { x: 1 });
  assert.deepEqual(
    checkResources(r.data, "/linux/resources").filter((p) => p.severity === "error"),
    [],
  );
});

Deno.test("schema: integers and their ranges are enforced, naming the path", () => {
  const cases: [unknown, string][] = [
    [{ memory: { limit: 1.5 } }, "memory.limit"],
    [{ cpu: { shares: -1 } }, "cpu.shares"],
    [{ blockIO: { weight: 70000 } }, "blockIO.weight"],
    [{ network: { classID: 2 ** 32 } }, "network.classID"],
    [{ devices: [{ access: "rwm" }] }, "devices.0.allow"],
    [{ pids: { limit: "5" } }, "pids.limit"],
    [{ unified: { "memory.max": 5 } }, "unified.memory.max"],
  ];
  for (const [value, path] of cases) {
    const r = parse(value);
    assert.equal(r.success, false, path);
    assert.equal(r.error!.issues[0].path.join("."), path);
  }
  assert.ok(parse({ memory: { limit: 2 ** 63 } }).success, "beyond 2^53 is still an integer");
});

Deno.test("checks: each semantic rule reports its pointer", () => {
  const problems = checkResources({
    devices: [{ allow: true, type: "x", access: "rwx" }, { allow: true, access: "rr" }],
    memory: { limit: 1000, swap: 500, swappiness: 101, kernel: 5 },
    cpu: { period: 10, quota: 5, burst: 100, idle: 2, cpus: "3-1", mems: "a" },
    blockIO: {
      weight: 5,
      weightDevice: [{ major: 8, minor: 0 }, { major: -1, minor: 0, weight: 2000 }],
    },
    hugepageLimits: [{ pageSize: "2M", limit: 1 }],
    network: { priorities: [{ name: "", priority: 1 }] },
    rdma: { "mlx/5": {} },
    unified: { "no-dot": "1" },
  }, "/linux/resources");
  const at = (p: string) => problems.filter((x) => x.pointer === `/linux/resources/${p}`);
  const errorsAt = [
    "devices/0/type",
    "devices/0/access",
    "devices/1/access",
    "memory/swap",
    "memory/swappiness",
    "cpu/period",
    "cpu/quota",
    "cpu/idle",
    "cpu/cpus",
    "cpu/mems",
    "blockIO/weight",
    "blockIO/weightDevice/0",
    "blockIO/weightDevice/1",
    "blockIO/weightDevice/1/weight",
    "hugepageLimits/0/pageSize",
    "network/priorities/0/name",
    "rdma/mlx~15",
    "unified/no-dot",
  ];
  for (const p of errorsAt) {
    assert.ok(
      at(p).some((x) => x.severity === "error"),
      `error at ${p}: ${JSON.stringify(problems)}`,
    );
  }
  assert.deepEqual(at("memory/kernel").map((x) => x.severity), ["warning"]);
  assert.equal(
    problems.filter((x) => x.severity === "error").length,
    errorsAt.length + 1,
    "burst > quota too",
  );
});

Deno.test("checks: sound values pass", () => {
  assert.deepEqual(
    checkResources({
      devices: [{ allow: true, type: "c", major: -1, minor: -1, access: "m" }],
      memory: { limit: -1, swap: -1, swappiness: 100 },
      cpu: { quota: -1, period: 100000, burst: 0, idle: 1, cpus: "0,2-3", mems: "" },
      blockIO: { weight: 1000, leafWeight: 10 },
      hugepageLimits: [{ pageSize: "64KB", limit: 0 }, { pageSize: "1GB", limit: 1 }],
    }, ""),
    [],
  );
});

Deno.test("cpu list syntax", () => {
  for (const ok of ["0", "0-3", "0-3,7", "1,2,3", "0-0"]) assert.ok(isCpuList(ok), ok);
  for (const bad of ["", "a", "3-1", "1-", "-1", "1,,2", "0-3-5"]) assert.ok(!isCpuList(bad), bad);
});
