// The v2 manager on a real cgroup2 mount (root only). On a hybrid host that is the nearly
// controller-less /sys/fs/cgroup/unified, which still has the core v2 mechanics (cgroup.procs,
// cgroup.freeze, cgroup.kill, eBPF device filters) and here hugetlb; on a pure v2 host the
// full manager is exercised at /sys/fs/cgroup.
import assert from "node:assert/strict";
import { detect } from "../../runtime/cgroups/detect.ts";
import { cgroupManager } from "../../runtime/cgroups/mod.ts";
import { closeCgroupJoin, openCgroupJoin } from "../../runtime/exec/cgroup.ts";
import type { CgroupManager } from "../../runtime/cgroups/types.ts";
import { requireRoot, skipUnless } from "../helpers/mod.ts";

const UNIFIED = "/sys/fs/cgroup/unified";

function probe(root: string) {
  try {
    return detect(root, "/proc/self", "v2");
  } catch {
    return undefined;
  }
}

const asRoot = !requireRoot("creating cgroups");
const hybridUnified = asRoot ? probe(UNIFIED) : undefined;
const pureV2 = asRoot && detect().layout === "v2" ? probe("/sys/fs/cgroup") : undefined;
const v2Root = hybridUnified ? UNIFIED : pureV2 ? "/sys/fs/cgroup" : undefined;
const ignore = !asRoot || skipUnless(v2Root !== undefined, "no cgroup2 mount on this host");
const controllers = hybridUnified?.unifiedControllers ?? pureV2?.unifiedControllers ?? [];

const uniquePath = () => `/tsrun-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
const read = (path: string) => Deno.readTextFileSync(path).trim();
const utime = (pid: number) =>
  Number(Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ")[11]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `test` on a fresh cgroup under `root`; afterwards kills what is left, removes the
 * cgroup and restores the root's subtree_control (the test may have delegated controllers). */
async function withCgroup(
  root: string,
  id: string,
  test: (m: CgroupManager, children: Deno.ChildProcess[]) => Promise<void> | void,
) {
  const subtree = `${root}/cgroup.subtree_control`;
  const before = read(subtree).split(/\s+/).filter((c) => c !== "");
  const m = cgroupManager({ root, layout: "v2", id, cgroupsPath: uniquePath() });
  const children: Deno.ChildProcess[] = [];
  try {
    await test(m, children);
  } finally {
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
    for (const c of read(subtree).split(/\s+/).filter((c) => c !== "" && !before.includes(c))) {
      Deno.writeTextFileSync(subtree, `-${c}`);
    }
  }
}

Deno.test({
  name: "v2 kernel: mkdir, cgroup.procs, freeze/thaw, cgroup.kill, destroy",
  ignore,
  async fn() {
    await withCgroup(v2Root!, "v2-core", async (m, children) => {
      m.create();
      const dir = m.paths[""];
      assert.ok(Deno.statSync(`${dir}/cgroup.procs`).isFile);
      const join = openCgroupJoin(m, new Map());
      assert.ok(Deno.statSync(`/proc/self/fd/${join.intoFd}`).isDirectory);
      closeCgroupJoin(join);

      // A busy loop, so "frozen" can be seen as "no CPU time while frozen".
      const spin = new Deno.Command("sh", { args: ["-c", "while :; do :; done"] }).spawn();
      children.push(spin);
      m.addProcess(spin.pid);
      assert.deepEqual(m.pids(), [spin.pid]);
      assert.ok(
        Deno.readTextFileSync(`/proc/${spin.pid}/cgroup`).includes(
          `0::${dir.slice(v2Root!.length)}\n`,
        ),
      );

      m.freeze();
      assert.equal(m.freezerState(), "FROZEN");
      assert.match(read(`${dir}/cgroup.events`), /^frozen 1$/m);
      const t0 = utime(spin.pid);
      await sleep(300);
      assert.equal(utime(spin.pid), t0, "no CPU time while frozen");
      m.thaw();
      assert.equal(m.freezerState(), "THAWED");
      await sleep(300);
      assert.ok(utime(spin.pid) > t0, "runs again after thaw");

      m.killAll(9);
      assert.equal((await spin.status).signal, "SIGKILL");
      m.destroy();
      assert.equal(m.exists(), false);
      assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
    });
  },
});

Deno.test({
  name: "v2 kernel: eBPF device filter allows, denies and is replaced by the next set()",
  ignore,
  async fn() {
    const nodes = Deno.makeTempDirSync({ prefix: "tsrun-dev-" });
    try {
      // Private nodes with the numbers of /dev/kmsg and /dev/loop-control; only opened.
      const mknod = (name: string, major: string, minor: string) =>
        assert.ok(
          new Deno.Command("mknod", { args: [`${nodes}/${name}`, "c", major, minor] }).outputSync()
            .success,
        );
      mknod("kmsg", "1", "11");
      mknod("loopctl", "10", "237");
      await withCgroup(v2Root!, "v2-devices", async (m, children) => {
        m.create();
        m.set({ devices: [{ allow: false, access: "rwm" }] });
        m.set({
          devices: [{ allow: false, access: "rwm" }, {
            allow: true,
            type: "c",
            major: 1,
            minor: 11,
            access: "r",
          }],
        });
        const script = [
          "read go",
          `true < ${nodes}/kmsg && echo kmsg-read`,
          `true > ${nodes}/kmsg && echo kmsg-write`,
          `true < ${nodes}/loopctl && echo loopctl-read`,
          "true > /dev/null && echo null-write",
        ].join("; ");
        const sh = new Deno.Command("sh", {
          args: ["-c", script],
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        })
          .spawn();
        children.push(sh);
        m.addProcess(sh.pid);
        const w = sh.stdin.getWriter();
        await w.write(new TextEncoder().encode("go\n"));
        await w.close();
        const out = await sh.output();
        const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
        assert.deepEqual(
          lines,
          ["kmsg-read", "null-write"],
          "the second filter replaced the first",
        );
        const errors = new TextDecoder().decode(out.stderr);
        assert.equal(errors.match(/Operation not permitted/g)?.length, 2, errors);
      });
    } finally {
      Deno.removeSync(nodes, { recursive: true });
    }
  },
});

Deno.test({
  name: "v2 kernel: hugetlb limits through delegation from the root",
  ignore: ignore ||
    skipUnless(controllers.includes("hugetlb"), "no hugetlb controller on the cgroup2 mount"),
  async fn() {
    await withCgroup(v2Root!, "v2-hugetlb", (m) => {
      const r = { hugepageLimits: [{ pageSize: "2MB", limit: 8 << 20 }] };
      m.create(r);
      m.set(r);
      const dir = m.paths[""];
      assert.match(read(`${dir}/cgroup.controllers`), /\bhugetlb\b/);
      assert.equal(read(`${dir}/hugetlb.2MB.max`), String(8 << 20));
      const rsvd = `${dir}/hugetlb.2MB.rsvd.max`;
      if (Deno.statSync(rsvd).isFile) assert.equal(read(rsvd), String(8 << 20));
      // Usage and failures only: v2 keeps no peak, and the limit is not a statistic.
      assert.equal("max" in m.stats().data.hugetlb["2MB"], false);
      m.destroy();
      assert.equal(m.exists(), false);
    });
  },
});

Deno.test({
  name: "v2 kernel: controllers the mount lacks fail before mkdir",
  ignore: ignore ||
    skipUnless(!controllers.includes("memory"), "the memory controller is available"),
  async fn() {
    await withCgroup(v2Root!, "v2-missing", (m) => {
      assert.throws(
        () => m.create({ memory: { limit: 1 << 20 } }),
        /memory\.limit: needs the memory controller/,
      );
      assert.equal(m.exists(), false);
    });
  },
});

Deno.test({
  name: "v2 kernel (pure v2 host): memory, pids and cpu limits",
  ignore: ignore ||
    skipUnless(pureV2 !== undefined, "needs a pure cgroup v2 host (this one is not)"),
  async fn() {
    await withCgroup("/sys/fs/cgroup", "v2-limits", (m) => {
      const r = {
        memory: { limit: 64 << 20 },
        pids: { limit: 10 },
        cpu: { shares: 1024, quota: 50000 },
      };
      m.create(r);
      m.set(r);
      const dir = m.paths[""];
      assert.equal(read(`${dir}/memory.max`), String(64 << 20));
      assert.equal(read(`${dir}/pids.max`), "10");
      assert.equal(read(`${dir}/cpu.weight`), "100");
      assert.equal(read(`${dir}/cpu.max`), "50000 100000");
      m.destroy();
    });
  },
});
