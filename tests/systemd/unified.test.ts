// The systemd driver on cgroup v2: the fixture's systemd gets only the cgroup2 hierarchy (on a
// hybrid host its unified tree, which may have no controllers: so no resource limits here, those
// are driver.test.ts's on v1). The scope is one directory systemd makes, the init's cgroup2
// cgroup; exec joins it through clone3, pause freezes it with cgroup.freeze.
import assert from "node:assert/strict";
import { join } from "node:path";
import { skipUnless, tsrun, writeBundle } from "../helpers/mod.ts";
import { until } from "../helpers/wait.ts";
import { type Fixture, startSystemd, stopClean, systemdMissing } from "./fixture.ts";

function noCgroup2(): string | undefined {
  const text = Deno.readTextFileSync("/proc/self/mountinfo");
  return / - cgroup2 /.test(text) ? undefined : "this host has no cgroup2 hierarchy";
}

const missing = systemdMissing() ?? noCgroup2();
let fixture: Fixture | undefined;
let bootError: string | undefined;
if (!missing) {
  try {
    fixture = await startSystemd({ unified: true });
  } catch (e) {
    bootError = (e as Error).message;
  }
}
const ignore = skipUnless(missing === undefined, missing ?? "");
// A filtered run skips the last test, which stops it.
globalThis.addEventListener("unload", () => fixture?.kill());

function fx(): Fixture {
  if (!fixture) throw new Error(`the systemd fixture did not start: ${bootError}`);
  return fixture;
}

async function sd(args: string[]) {
  return await tsrun(["--systemd-cgroup", ...args], { prefix: fx().prefix, root: "/run/sd-v2" });
}

async function status(id: string): Promise<string> {
  const r = await sd(["state", id]);
  return r.code === 0 ? JSON.parse(r.stdout).status : r.stderr.trim();
}

Deno.test({
  name: "cgroup v2: scope, exec in it, pause/resume by cgroup.freeze, kill --all, delete",
  ignore,
  async fn() {
    assert.equal(fx().layout, "v2");
    const id = `sd-v2-${Deno.pid}`;
    const unit = `tsrun-${id}.scope`;
    const tmp = Deno.makeTempDirSync({ dir: "/var/tmp", prefix: "tsrun-sd-test-" });
    Deno.chmodSync(tmp, 0o755);
    const b = writeBundle(join(tmp, "bundle"), { args: ["sleep", "600"] }, tmp);
    try {
      const r = await sd(["run", "-d", "--bundle", b.dir, id]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await fx().show(unit, "ActiveState", "Delegate", "ControlGroup"), {
        ActiveState: "active",
        Delegate: "yes",
        ControlGroup: `/system.slice/${unit}`,
      });
      const state = JSON.parse((await sd(["state", id])).stdout);
      const own = await fx().run(["cat", `/proc/${state.pid}/cgroup`]);
      assert.match(own.stdout, new RegExp(`^0::/system\\.slice/${unit}$`, "m"));
      const e = await sd(["exec", id, "cat", "/proc/self/cgroup"]);
      assert.equal(e.code, 0, e.stderr);
      assert.match(e.stdout, new RegExp(`^0::/system\\.slice/${unit}$`, "m"));

      const dir = fx().hostPath("unified", `system.slice/${unit}`);
      assert.equal((await sd(["pause", id])).code, 0);
      assert.equal(await status(id), "paused");
      assert.equal(Deno.readTextFileSync(`${dir}/cgroup.freeze`).trim(), "1");
      assert.equal((await sd(["resume", id])).code, 0);
      assert.equal(await status(id), "running");
      assert.equal(Deno.readTextFileSync(`${dir}/cgroup.freeze`).trim(), "0");

      assert.equal((await sd(["exec", "-d", id, "sleep", "601"])).code, 0);
      assert.equal((await sd(["kill", "--all", id, "KILL"])).code, 0);
      assert.equal(await until(() => status(id), (s) => s === "stopped"), "stopped");
      const d = await sd(["delete", id]);
      assert.equal(d.code, 0, d.stderr);
      assert.equal((await fx().show(unit, "LoadState")).LoadState, "not-found");
      assert.deepEqual(fx().dirsOf(`system.slice/${unit}`), []);
    } finally {
      await sd(["delete", "--force", id]);
      await b.cleanup();
    }
  },
});

Deno.test({
  name: "cgroup v2 fixture: stops, leaving no process or cgroup behind",
  ignore,
  async fn() {
    const f = fx();
    fixture = undefined;
    await stopClean(f);
  },
});
