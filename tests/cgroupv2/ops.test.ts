// pause/resume (cgroup.freeze), kill --all (cgroup.kill), ps and events --stats on a pure
// cgroup v2 layout, with real busybox containers.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { makeBundle, skipUnless } from "../helpers/mod.ts";
import { alive, COUNTER, counter, sleep, until } from "../ops/util.ts";
import { PureV2 } from "./pure-v2.ts";

const v2 = await PureV2.open();
const ignore = skipUnless(typeof v2 !== "string", `pure cgroup v2 view: ${v2}`);
const ns = v2 as PureV2;

const read = (path: string) => Deno.readTextFileSync(path).trim();
const procs = (dir: string) => read(`${dir}/cgroup.procs`).split("\n").filter(Boolean).map(Number);

Deno.test(
  { name: "v2 pause and resume freeze and thaw through cgroup.freeze", ignore },
  async () => {
    const b = await makeBundle({ args: COUNTER, config: (c) => (c.root.readonly = false) });
    const id = `v2-pause-${Deno.pid}`;
    try {
      assertEquals((await ns.tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
      ok(await until(() => counter(b.rootfs), (n) => n > 0) > 0, "the counter runs");
      const dir = ns.cgroupDir(id);

      const paused = await ns.tsrun(["pause", id]);
      assertEquals([paused.code, paused.stderr], [0, ""]);
      assertEquals(read(`${dir}/cgroup.freeze`), "1");
      match(read(`${dir}/cgroup.events`), /^frozen 1$/m);
      assertEquals(await ns.status(id), "paused");
      const frozenAt = counter(b.rootfs);
      await sleep(300);
      assertEquals(counter(b.rootfs), frozenAt, "no progress while paused");

      const resumed = await ns.tsrun(["resume", id]);
      assertEquals([resumed.code, resumed.stderr], [0, ""]);
      assertEquals(read(`${dir}/cgroup.freeze`), "0");
      match(read(`${dir}/cgroup.events`), /^frozen 0$/m);
      assertEquals(await ns.status(id), "running");
      ok(await until(() => counter(b.rootfs), (n) => n > frozenAt) > frozenAt, "counting again");
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "v2 ps lists the cgroup (sub-cgroups too); kill --all ends all of it", ignore },
  async () => {
    const b = await makeBundle({ args: ["sleep", "60"] });
    const id = `v2-killall-${Deno.pid}`;
    try {
      assertEquals((await ns.tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
      const dir = ns.cgroupDir(id);
      Deno.mkdirSync(`${dir}/sub`);
      assertEquals((await ns.tsrun(["exec", "-d", id, "sleep", "61"])).code, 0);
      assertEquals((await ns.tsrun(["exec", "-d", "--cgroup", "sub", id, "sleep", "62"])).code, 0);
      const all = [...procs(dir), ...procs(`${dir}/sub`)].sort((a, b) => a - b);
      assertEquals(all.length, 3, "init, exec and exec in sub");

      const ps = await ns.tsrun(["ps", "--format", "json", id]);
      assertEquals([ps.code, ps.stderr], [0, ""]);
      assertEquals((JSON.parse(ps.stdout) as number[]).sort((a, b) => a - b), all);

      // Paused first: cgroup.kill must reach frozen processes too.
      assertEquals((await ns.tsrun(["pause", id])).code, 0);
      const killed = await ns.tsrun(["kill", "--all", id, "KILL"]);
      assertEquals([killed.code, killed.stderr], [0, ""]);
      assertEquals(await until(() => all.filter(alive), (l) => l.length === 0), []);
      assertEquals(await until(() => ns.status(id), (s) => s === "stopped"), "stopped");
      assertEquals(procs(dir), []);
      assertEquals((await ns.tsrun(["delete", id])).code, 0);
      assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] });
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({ name: "v2 events --stats reads the cgroup's own counters", ignore }, async () => {
  const b = await makeBundle({ args: ["sleep", "60"] });
  const id = `v2-stats-${Deno.pid}`;
  try {
    assertEquals((await ns.tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    const cpuStat = () =>
      Number(/^usage_usec (\d+)$/m.exec(read(`${ns.cgroupDir(id)}/cpu.stat`))![1]);
    const before = cpuStat();
    ok(before > 0, "the init ran in its cgroup");
    const r = await ns.tsrun(["events", "--stats", id]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const lines = r.stdout.trim().split("\n");
    assertEquals(lines.length, 1, "one event");
    const ev = JSON.parse(lines[0]);
    assertEquals([ev.type, ev.id], ["stats", id]);
    // The container is idle: its usage moves by little between the two reads.
    const total = ev.data.cpu.usage.total / 1000;
    ok(total >= before && total <= cpuStat(), `cpu usage ${total} µs from cpu.stat (${before})`);
    const offered = ns.controllers();
    assertEquals(
      "current" in ev.data.pids,
      offered.includes("pids"),
      "pids only with the controller",
    );
    if (offered.includes("hugetlb")) {
      for (
        const [size, h] of Object.entries(ev.data.hugetlb as Record<string, { failcnt: number }>)
      ) {
        ok(Deno.statSync(`${ns.cgroupDir(id)}/hugetlb.${size}.current`).isFile, size);
        assertEquals(h.failcnt, 0);
      }
      ok(Object.keys(ev.data.hugetlb).length > 0, "hugetlb sizes reported");
    }
  } finally {
    await ns.tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});
