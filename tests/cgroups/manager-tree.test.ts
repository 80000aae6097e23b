// The managers against temporary trees laid out like cgroupfs. The test plays the kernel: it
// creates the control files a real mkdir would, and checks what the manager wrote into them.
import assert from "node:assert/strict";
import { cgroupManager } from "../../runtime/cgroups/mod.ts";
import { closeCgroupJoin, openCgroupJoin } from "../../runtime/exec/cgroup.ts";
import { dropFiles, fakeCgroup, fakeProc, read } from "./fake-host.ts";
import type { LinuxResources } from "../../specs/resources.ts";

function tree(): { root: string; proc: string; cleanup: () => void } {
  const root = Deno.makeTempDirSync({ prefix: "tsrun-cgtree-" });
  const proc = fakeProc("");
  return {
    root,
    proc,
    cleanup: () => {
      Deno.removeSync(root, { recursive: true });
      Deno.removeSync(proc, { recursive: true });
    },
  };
}

const V1_DIRS = [
  "cpu,cpuacct",
  "cpuset",
  "memory",
  "devices",
  "freezer",
  "pids",
  "blkio",
  "systemd",
];

/** The files a v1 kernel would show in a new cgroup of each hierarchy. */
const V1_FILES: Record<string, Record<string, string>> = {
  "cpu,cpuacct": {
    "cpu.shares": "1024\n",
    "cpu.cfs_period_us": "100000\n",
    "cpu.cfs_quota_us": "-1\n",
    "cpuacct.usage": "123\n",
  },
  cpuset: { "cpuset.cpus": "\n", "cpuset.mems": "\n" },
  memory: {
    "memory.limit_in_bytes": "9223372036854771712\n",
    "memory.memsw.limit_in_bytes": "9223372036854771712\n",
    "memory.soft_limit_in_bytes": "9223372036854771712\n",
    "memory.usage_in_bytes": "4096\n",
  },
  devices: { "devices.allow": "", "devices.deny": "" },
  freezer: { "freezer.state": "THAWED\n" },
  pids: { "pids.max": "max\n", "pids.current": "1\n" },
  blkio: { "blkio.weight": "500\n" },
  systemd: {},
};

const RESOURCES: LinuxResources = {
  devices: [{ allow: false, access: "rwm" }],
  memory: { limit: 1 << 26, swap: 1 << 27 },
  cpu: { shares: 512, quota: 20000, period: 100000, cpus: "1" },
  pids: { limit: 20 },
  blockIO: { weight: 300 },
};

Deno.test("v1 tree: a config the host cannot serve fails before anything is created", () => {
  const t = tree();
  try {
    for (const d of V1_DIRS) Deno.mkdirSync(`${t.root}/${d}`);
    const m = cgroupManager({ root: t.root, proc: t.proc, id: "c1", cgroupsPath: "/box/c1" });
    assert.equal(m.layout, "v1");
    assert.throws(
      () => m.create({ ...RESOURCES, hugepageLimits: [{ pageSize: "2MB", limit: 0 }] }),
      /^CgroupError: linux\.resources\.hugepageLimits\[0\]: needs the hugetlb controller, which this host does not have$/,
    );
    assert.throws(
      () => m.validate({ network: { classID: 1 } }),
      /network\.classID: needs the net_cls/,
    );
    assert.throws(() => m.validate({ unified: { "pids.max": "3" } }), /unified: needs cgroup v2/);
    assert.equal(m.exists(), false);
    for (const d of V1_DIRS) assert.deepEqual([...Deno.readDirSync(`${t.root}/${d}`)], [], d);
  } finally {
    t.cleanup();
  }
});

Deno.test("v1 tree: create, set, join, freeze, stats, destroy", () => {
  const t = tree();
  try {
    for (const d of V1_DIRS) Deno.mkdirSync(`${t.root}/${d}`);
    fakeCgroup(`${t.root}/cpuset`, { "cpuset.cpus": "0-3\n", "cpuset.mems": "0\n" });
    fakeCgroup(`${t.root}/cpuset/box`, { "cpuset.cpus": "\n", "cpuset.mems": "\n" });
    const m = cgroupManager({ root: t.root, proc: t.proc, id: "c1", cgroupsPath: "/box/c1" });
    const dir = (h: string) => `${t.root}/${h}/box/c1`;
    for (const [h, files] of Object.entries(V1_FILES)) {
      fakeCgroup(dir(h), { ...files, "cgroup.procs": "" });
    }
    assert.equal(m.paths.memory, dir("memory"));
    assert.equal(m.paths.cpu, dir("cpu,cpuacct"));
    assert.equal(m.paths.cpuacct, dir("cpu,cpuacct"));
    assert.equal(m.paths["name=systemd"], dir("systemd"));

    m.create(RESOURCES);
    assert.equal(read(`${t.root}/cpuset/box/cpuset.cpus`), "0-3", "parent cpuset filled in");
    assert.equal(read(`${dir("cpuset")}/cpuset.mems`), "0", "leaf cpuset filled in");

    m.set(RESOURCES);
    const expect: [string, string, string][] = [
      ["memory", "memory.limit_in_bytes", String(1 << 26)],
      ["memory", "memory.memsw.limit_in_bytes", String(1 << 27)],
      ["cpu,cpuacct", "cpu.shares", "512"],
      ["cpu,cpuacct", "cpu.cfs_quota_us", "20000"],
      ["cpu,cpuacct", "cpu.cfs_period_us", "100000"],
      ["cpuset", "cpuset.cpus", "1"],
      ["pids", "pids.max", "20"],
      ["blkio", "blkio.weight", "300"],
      ["devices", "devices.deny", "a"], // the last deny written: no config rule follows it
      ["devices", "devices.allow", "c 5:2 rwm"], // the last default rule
    ];
    for (const [h, f, v] of expect) assert.equal(read(`${dir(h)}/${f}`), v, `${h}/${f}`);

    m.addProcess(4242);
    for (const h of V1_DIRS) assert.equal(read(`${dir(h)}/cgroup.procs`), "4242", h);

    fakeCgroup(`${dir("pids")}/sub`, { "cgroup.procs": "77\n" });
    Deno.writeTextFileSync(`${dir("pids")}/cgroup.procs`, "4242\n");
    assert.deepEqual(m.pids(), [4242, 77]);
    assert.deepEqual(m.pids(false), [4242]);

    m.freeze();
    assert.equal(read(`${dir("freezer")}/freezer.state`), "FROZEN");
    assert.equal(m.freezerState(), "FROZEN");
    m.thaw();
    assert.equal(m.freezerState(), "THAWED");

    const s = m.stats();
    assert.equal(s.type, "stats");
    assert.equal(s.id, "c1");
    assert.deepEqual(s.data.pids, { current: 1, limit: 20 });
    assert.equal(s.data.memory.usage.usage, 4096);
    assert.equal(s.data.memory.usage.limit, 1 << 26);
    assert.equal(s.data.cpu.usage.total, 123);

    for (const h of V1_DIRS) dropFiles(dir(h));
    dropFiles(`${dir("pids")}/sub`);
    m.destroy();
    assert.equal(m.exists(), false);
    for (const h of V1_DIRS) {
      assert.ok(Deno.statSync(`${t.root}/${h}/box`).isDirectory, "parents stay");
    }
  } finally {
    t.cleanup();
  }
});

Deno.test("v1 tree: a failed create removes what it made, keeps what was there", () => {
  const t = tree();
  try {
    for (const d of V1_DIRS) Deno.mkdirSync(`${t.root}/${d}`);
    Deno.mkdirSync(`${t.root}/memory/keep`);
    Deno.writeTextFileSync(`${t.root}/pids/keep`, "a file where a directory must go");
    const m = cgroupManager({ root: t.root, proc: t.proc, id: "x", cgroupsPath: "/keep/x" });
    assert.throws(() => m.create(), /mkdir .*\/pids\/keep\/x: /);
    assert.ok(Deno.statSync(`${t.root}/memory/keep`).isDirectory);
    for (const d of V1_DIRS) {
      assert.equal(
        [...Deno.readDirSync(`${t.root}/${d}`)].some((e) => e.isDirectory && e.name !== "keep"),
        false,
        d,
      );
      if (d !== "pids") {
        assert.throws(() => Deno.statSync(`${t.root}/${d}/keep/x`), Deno.errors.NotFound, d);
      }
    }
  } finally {
    t.cleanup();
  }
});

Deno.test("v1 tree: relative paths go under the caller's own cgroup", () => {
  const t = tree();
  try {
    for (const d of ["memory", "pids"]) Deno.mkdirSync(`${t.root}/${d}`);
    Deno.writeTextFileSync(`${t.proc}/cgroup`, "3:memory:/user/me\n2:pids:/\n0::/\n");
    const m = cgroupManager({ root: t.root, proc: t.proc, id: "c9" });
    assert.equal(m.paths.memory, `${t.root}/memory/user/me/c9`);
    assert.equal(m.paths.pids, `${t.root}/pids/c9`);
  } finally {
    t.cleanup();
  }
});

Deno.test("hybrid tree: hugetlb and unified keys go to the unified tree when v1 lacks them", () => {
  const t = tree();
  try {
    for (const d of ["memory", "pids", "freezer"]) Deno.mkdirSync(`${t.root}/${d}`);
    fakeCgroup(`${t.root}/unified`, {
      "cgroup.controllers": "hugetlb\n",
      "cgroup.subtree_control": "",
    });
    Deno.writeTextFileSync(`${t.proc}/cgroup`, "3:memory:/m\n2:pids:/p\n1:freezer:/\n0::/u\n");
    const rel = cgroupManager({ root: t.root, proc: t.proc, id: "r" });
    assert.equal(
      rel.paths[""],
      `${t.root}/unified/u/r`,
      "keyed by cgroup2's own line, not a controller",
    );
    assert.equal(rel.paths.memory, `${t.root}/memory/m/r`);
    const m = cgroupManager({ root: t.root, proc: t.proc, id: "h", cgroupsPath: "/h" });
    assert.equal(m.layout, "hybrid");
    assert.equal(m.paths[""], `${t.root}/unified/h`);
    const r: LinuxResources = {
      hugepageLimits: [{ pageSize: "2MB", limit: 4194304 }],
      unified: { "hugetlb.1GB.max": "0" },
    };
    assert.throws(
      () => m.validate({ unified: { "memory.high": "5" } }),
      /unified: needs cgroup v2/,
    );
    const leaf = `${t.root}/unified/h`;
    fakeCgroup(leaf, {
      "cgroup.controllers": "hugetlb\n",
      "cgroup.procs": "",
      "hugetlb.2MB.max": "max\n",
      "hugetlb.1GB.max": "max\n",
    });
    for (const d of ["memory", "pids", "freezer"]) {
      fakeCgroup(`${t.root}/${d}/h`, { "cgroup.procs": "" });
    }
    m.create(r);
    assert.equal(read(`${t.root}/unified/cgroup.subtree_control`), "+hugetlb");
    m.set(r);
    assert.equal(read(`${leaf}/hugetlb.2MB.max`), "4194304");
    assert.equal(read(`${leaf}/hugetlb.1GB.max`), "0");
    m.addProcess(7);
    for (const d of ["memory/h", "pids/h", "freezer/h", "unified/h"]) {
      assert.equal(read(`${t.root}/${d}/cgroup.procs`), "7", `three v1 hierarchies and ${d}`);
    }
  } finally {
    t.cleanup();
  }
});

const V2_FILES = {
  "cgroup.controllers": "cpu memory pids io\n",
  "cgroup.subtree_control": "",
  "cgroup.procs": "",
  "cgroup.freeze": "0\n",
  "cgroup.events": "populated 1\nfrozen 1\n",
  "cgroup.kill": "",
  "cpu.weight": "100\n",
  "cpu.max": "max 100000\n",
  "cpu.stat": "usage_usec 7\nuser_usec 5\nsystem_usec 2\n",
  "memory.max": "max\n",
  "memory.swap.max": "max\n",
  "memory.current": "8192\n",
  "pids.max": "max\n",
  "pids.current": "2\n",
  "io.weight": "default 100\n",
};

Deno.test("v2 tree: validate, create (delegation), set, kill, freeze, stats, destroy", () => {
  const t = tree();
  try {
    const root = `${t.root}/cg`;
    fakeCgroup(root, {
      "cgroup.controllers": "cpu memory pids io\n",
      "cgroup.subtree_control": "",
    });
    const m = cgroupManager({ root, proc: t.proc, id: "c1", cgroupsPath: "/k8s/c1" });
    assert.equal(m.layout, "v2");
    assert.deepEqual(m.paths, { "": `${root}/k8s/c1` });
    assert.throws(
      () => m.validate({ hugepageLimits: [{ pageSize: "2MB", limit: 1 }] }),
      /hugepageLimits\[0\]: needs the hugetlb controller, which the cgroup v2 hierarchy at .* does not have/,
    );
    assert.throws(() => m.validate({ memory: { swappiness: 1 } }), /memory\.swappiness/);
    assert.equal(m.exists(), false);

    fakeCgroup(`${root}/k8s`, {
      "cgroup.controllers": "cpu memory pids io\n",
      "cgroup.subtree_control": "",
    });
    const dir = `${root}/k8s/c1`;
    fakeCgroup(dir, V2_FILES);
    const r: LinuxResources = {
      memory: { limit: 1 << 26, swap: 1 << 27 },
      cpu: { shares: 2048, quota: 50000 },
      pids: { limit: 9 },
      blockIO: { weight: 1000 },
      unified: { "memory.max": String(1 << 25) },
    };
    m.create(r);
    assert.equal(read(`${root}/cgroup.subtree_control`), "+cpu +memory +pids +io");
    assert.equal(read(`${root}/k8s/cgroup.subtree_control`), "+cpu +memory +pids +io");
    m.set(r);
    assert.equal(read(`${dir}/memory.swap.max`), String(1 << 26));
    assert.equal(read(`${dir}/memory.max`), String(1 << 25), "unified keys are applied last");
    assert.equal(read(`${dir}/cpu.weight`), "174");
    assert.equal(read(`${dir}/cpu.max`), "50000 100000");
    assert.equal(read(`${dir}/pids.max`), "9");
    assert.equal(read(`${dir}/io.weight`), "10000");

    m.addProcess(31337);
    assert.equal(read(`${dir}/cgroup.procs`), "31337");
    const join = openCgroupJoin(m, new Map());
    assert.deepEqual(join.tasksFds, [], "clone3 places the child on cgroup2");
    assert.ok(Deno.statSync(`/proc/self/fd/${join.intoFd}`).isDirectory);
    closeCgroupJoin(join);

    m.killAll(9);
    assert.equal(read(`${dir}/cgroup.kill`), "1", "SIGKILL goes through cgroup.kill");
    m.freeze();
    assert.equal(read(`${dir}/cgroup.freeze`), "1");
    assert.equal(m.freezerState(), "FROZEN");
    m.thaw();
    assert.equal(read(`${dir}/cgroup.freeze`), "0");
    assert.equal(m.freezerState(), "THAWED");

    const s = m.stats().data;
    assert.equal(s.cpu.usage.total, 7000);
    assert.equal(s.cpu.usage.user, 5000);
    assert.equal(s.memory.usage.usage, 8192);
    assert.deepEqual(s.pids, { current: 2, limit: 9 });

    dropFiles(dir);
    m.destroy();
    assert.equal(m.exists(), false);
    m.destroy(); // already gone: fine
  } finally {
    t.cleanup();
  }
});

Deno.test("v2 tree: a controller that cannot be delegated fails create and removes its dirs", () => {
  const t = tree();
  try {
    const root = `${t.root}/cg`;
    fakeCgroup(root, { "cgroup.controllers": "cpu memory\n", "cgroup.subtree_control": "" });
    const m = cgroupManager({ root, proc: t.proc, id: "c2", cgroupsPath: "/new/c2" });
    assert.throws(
      () => m.create({ memory: { limit: 4096 } }),
      /memory\.limit: the memory controller could not be enabled for .*\/new\/c2/,
    );
    assert.throws(() => Deno.statSync(`${root}/new`), Deno.errors.NotFound);
  } finally {
    t.cleanup();
  }
});

Deno.test("lacking: every section the host cannot serve, files judged by the nearest cgroup", () => {
  const t = tree();
  try {
    for (const d of V1_DIRS) Deno.mkdirSync(`${t.root}/${d}`);
    // The hierarchy roots are what exists: memory without swap accounting, blkio without CFQ.
    const { "memory.memsw.limit_in_bytes": _, ...noSwap } = V1_FILES.memory;
    fakeCgroup(`${t.root}/memory`, noSwap);
    fakeCgroup(`${t.root}/blkio`, {});
    for (const d of ["cpu,cpuacct", "cpuset", "devices", "pids"]) {
      fakeCgroup(`${t.root}/${d}`, V1_FILES[d]);
    }
    const m = cgroupManager({ root: t.root, proc: t.proc, id: "c1", cgroupsPath: "/box/c1" });
    assert.deepEqual(
      m.lacking({
        ...RESOURCES,
        hugepageLimits: [{ pageSize: "2MB", limit: 0 }],
        network: { classID: 1 },
      }),
      [
        "linux.resources.memory.swap: this kernel has no memory.memsw.limit_in_bytes",
        "linux.resources.blockIO.weight: this kernel has no blkio.weight",
        "linux.resources.hugepageLimits[0]: needs the hugetlb controller, which this host does not have",
        "linux.resources.network.classID: needs the net_cls controller, which this host does not have",
      ],
    );
    assert.deepEqual(m.lacking(RESOURCES).length, 2);
    assert.equal(m.exists(), false, "lacking creates nothing");

    // cgroup v2: the root has few of the files its children have, so a child is asked.
    const root = `${t.root}/cg`;
    fakeCgroup(root, { "cgroup.controllers": "cpu memory pids\n", "cgroup.subtree_control": "" });
    fakeCgroup(`${root}/other`, {
      "cgroup.controllers": "cpu memory pids\n",
      "cgroup.type": "domain\n",
      "memory.max": "max\n",
      "pids.max": "max\n",
    });
    const v2 = cgroupManager({ root, proc: t.proc, id: "c1", cgroupsPath: "/k8s/c1" });
    assert.deepEqual(
      v2.lacking({ memory: { limit: 1 << 26, swap: 1 << 27 }, pids: { limit: 5 } }),
      [
        "linux.resources.memory.swap: this kernel has no memory.swap.max",
      ],
    );
  } finally {
    t.cleanup();
  }
});
