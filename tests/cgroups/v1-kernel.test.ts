// The v1 manager on this host's real v1 controllers (root only): limits land in the kernel,
// a real process joins, freezes, thaws and dies, and nothing is left behind.
import assert from "node:assert/strict";
import { detect } from "../../runtime/cgroups/detect.ts";
import { cgroupManager } from "../../runtime/cgroups/mod.ts";
import type { CgroupManager } from "../../runtime/cgroups/types.ts";
import type { LinuxResources } from "../../specs/resources.ts";
import { requireRoot, skipUnless } from "../helpers/mod.ts";

const layout = (() => {
  try {
    return detect().layout;
  } catch {
    return undefined;
  }
})();
const ignore = requireRoot("creating cgroups") ||
  skipUnless(
    layout === "v1" || layout === "hybrid",
    `needs cgroup v1 controllers (host: ${layout})`,
  );

const read = (path: string) => Deno.readTextFileSync(path).trim();
const procState = (pid: number) =>
  /State:\s+(\S)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1];

function uniquePath(): string {
  return `/tsrun-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Kills what is left and removes the cgroup even when the test failed half way. */
async function cleanup(m: CgroupManager, children: Deno.ChildProcess[]): Promise<void> {
  for (const c of children) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
    await c.status;
  }
  if (m.exists()) {
    m.thaw();
    m.killAll(9);
    m.destroy();
  }
}

Deno.test({
  name: "v1 kernel: limits, join, freeze/thaw, stats, kill, destroy",
  ignore,
  async fn() {
    const m = cgroupManager({ id: "v1-kernel", cgroupsPath: uniquePath() });
    const children: Deno.ChildProcess[] = [];
    try {
      const memsw = Deno.statSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").isFile;
      const r: LinuxResources = {
        memory: { limit: 64 << 20, ...(memsw ? { swap: 96 << 20 } : {}), reservation: 32 << 20 },
        pids: { limit: 16 },
        cpu: { shares: 512, quota: 50000, period: 100000, cpus: "0" },
        devices: [{ allow: false, access: "rwm" }, {
          allow: true,
          type: "c",
          major: 1,
          minor: 11,
          access: "r",
        }],
      };
      m.create(r);
      m.set(r);
      const p = m.paths;
      assert.equal(read(`${p.memory}/memory.limit_in_bytes`), String(64 << 20));
      if (memsw) assert.equal(read(`${p.memory}/memory.memsw.limit_in_bytes`), String(96 << 20));
      assert.equal(read(`${p.memory}/memory.soft_limit_in_bytes`), String(32 << 20));
      assert.equal(read(`${p.pids}/pids.max`), "16");
      assert.equal(read(`${p.cpu}/cpu.shares`), "512");
      assert.equal(read(`${p.cpu}/cpu.cfs_quota_us`), "50000");
      assert.equal(read(`${p.cpuset}/cpuset.cpus`), "0");
      const devices = read(`${p.devices}/devices.list`).split("\n");
      assert.ok(devices.includes("c 1:11 r"), devices.join("|"));
      assert.ok(devices.includes("c 1:3 rwm"));
      assert.ok(!devices.includes("a *:* rwm"), "no longer allow-all");

      const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
      children.push(child);
      m.addProcess(child.pid);
      assert.deepEqual(m.pids(), [child.pid]);
      const own = Deno.readTextFileSync(`/proc/${child.pid}/cgroup`);
      assert.ok(own.includes(`:memory:${p.memory.slice("/sys/fs/cgroup/memory".length)}\n`), own);
      if (p[""]) {
        assert.ok(own.includes(`0::${p[""].slice("/sys/fs/cgroup/unified".length)}\n`), own);
      }

      m.freeze();
      assert.equal(m.freezerState(), "FROZEN");
      assert.equal(procState(child.pid), "D", "v1-frozen tasks sleep uninterruptibly");
      m.thaw();
      assert.equal(m.freezerState(), "THAWED");
      assert.equal(procState(child.pid), "S");

      const stats = m.stats();
      assert.equal(stats.id, "v1-kernel");
      assert.deepEqual(stats.data.pids, { current: 1, limit: 16 });
      assert.equal(stats.data.memory.usage.limit, 64 << 20);

      m.killAll(9);
      assert.equal((await child.status).signal, "SIGKILL");
      m.destroy();
      assert.equal(m.exists(), false);
      for (const dir of Object.values(p)) {
        assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound, dir);
      }
    } finally {
      await cleanup(m, children);
    }
  },
});

Deno.test({
  name: "v1 kernel: pids.max stops forks inside the cgroup",
  ignore,
  async fn() {
    const m = cgroupManager({ id: "v1-pids", cgroupsPath: uniquePath() });
    const children: Deno.ChildProcess[] = [];
    try {
      m.create({ pids: { limit: 3 } });
      m.set({ pids: { limit: 3 } });
      // The shell waits until it is inside the cgroup, then tries to start five sleeps; with
      // itself counted, the third fork must fail (and a failed fork ends a dash script).
      const sh = new Deno.Command("sh", {
        args: ["-c", "read go; for i in 1 2 3 4 5; do sleep 30 >/dev/null 2>&1 & done"],
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      children.push(sh);
      m.addProcess(sh.pid);
      const w = sh.stdin.getWriter();
      await w.write(new TextEncoder().encode("go\n"));
      await w.close();
      const out = await sh.output();
      assert.match(new TextDecoder().decode(out.stderr), /fork/i);
      assert.equal(m.pids().length, 2, "the two sleeps that fitted are still running");
      m.killAll(9);
      m.destroy();
      assert.equal(m.exists(), false);
    } finally {
      await cleanup(m, children);
    }
  },
});

const netClsMounted = !ignore && detect().v1.some((h) => h.controllers.includes("net_cls"));

Deno.test({
  name: "v1 kernel: a controller the host has not mounted fails before anything is created",
  ignore: ignore || skipUnless(!netClsMounted, "net_cls is mounted on this host"),
  fn() {
    const m = cgroupManager({ id: "v1-missing", cgroupsPath: uniquePath() });
    assert.throws(
      () => m.create({ pids: { limit: 5 }, network: { classID: 1 } }),
      /network\.classID: needs the net_cls controller/,
    );
    assert.equal(m.exists(), false);
  },
});
