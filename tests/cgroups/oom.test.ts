// OOM watching: v2's memory.events counter on a fake tree; v1's eventfd on the real kernel
// with a real OOM, and the removal signal that must not count as one.
import assert from "node:assert/strict";
import { detect } from "../../runtime/cgroups/detect.ts";
import { cgroupManager } from "../../runtime/cgroups/mod.ts";
import { watchOomV2 } from "../../runtime/cgroups/oom.ts";
import { pollIn } from "../../syscalls/pidfd.ts";
import { requireRoot, skipUnless } from "../helpers/mod.ts";
import { fakeCgroup } from "./fake-host.ts";

Deno.test("v2: oom_kill increases are reported once; a removed cgroup ends the watch", () => {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-oom-" });
  try {
    assert.throws(() => watchOomV2(dir), /cannot watch for OOMs: .* has no memory controller/);
    const events = (n: number) => `low 0\nhigh 0\nmax 4\noom ${n}\noom_kill ${n}\n`;
    fakeCgroup(dir, { "memory.events": events(3) });
    const w = watchOomV2(dir);
    assert.equal(w.fd, undefined, "nothing to poll: take() is called on a timer");
    assert.equal(w.take(), 0, "OOMs from before the watch are not news");
    Deno.writeTextFileSync(`${dir}/memory.events`, events(5));
    assert.equal(w.take(), 2);
    assert.equal(w.take(), 0);
    Deno.removeSync(`${dir}/memory.events`);
    assert.equal(w.take(), undefined);
    w.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

const v1Memory = (() => {
  try {
    return detect().v1.some((h) => h.controllers.includes("memory"));
  } catch {
    return false;
  }
})();

Deno.test({
  name: "v1 kernel: the eventfd fires on a real OOM, and cgroup removal is no OOM",
  ignore: requireRoot("creating cgroups") || skipUnless(v1Memory, "no v1 memory controller"),
  async fn() {
    const m = cgroupManager({
      id: "oom",
      cgroupsPath: `/tsrun-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`,
    });
    m.create({ memory: { limit: 8 << 20, swap: 8 << 20 } });
    m.set({ memory: { limit: 8 << 20, swap: 8 << 20 } });
    const w = m.oomWatch();
    try {
      assert.equal(w.take(), 0);
      const procs = `${m.paths.memory}/cgroup.procs`;
      // Joins the cgroup, then holds 64 MB in a shell variable: the OOM killer ends it.
      const hog = new Deno.Command("/bin/sh", {
        args: ["-c", `echo $$ > ${procs}; x=$(head -c 67108864 /dev/zero | tr '\\0' x)`],
      }).spawn();
      const status = await hog.status;
      // The killer may pick the shell or a pipeline member: either way the hog fails.
      assert.ok(!status.success, "the OOM killer ended the hog");
      assert.deepEqual(pollIn([w.fd!], 5000), [0]);
      assert.ok(w.take()! >= 1);
      assert.equal(w.take(), 0);
      m.destroy();
      assert.deepEqual(pollIn([w.fd!], 5000), [0], "removal signals the eventfd too");
      assert.equal(w.take(), undefined);
    } finally {
      w.close();
      if (m.exists()) {
        m.killAll(9);
        m.destroy();
      }
    }
  },
});
