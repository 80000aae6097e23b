// tsrun --systemd-cgroup against a real systemd (fixture.ts): the scope and its properties
// while the container runs, exec in the scope, pause/resume, update, kill --all, errors, and
// nothing left — no unit, no cgroup directory — after delete, also of a SIGKILLed create.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Bundle,
  type Config,
  processesMatching,
  readOr,
  skipUnless,
  tsrun,
  writeBundle,
} from "../helpers/mod.ts";
import { until } from "../helpers/wait.ts";
import { type Fixture, hostMounts, startSystemd, stopClean, systemdMissing } from "./fixture.ts";

const missing = systemdMissing({ v1: true });
const mountsBefore = hostMounts();
let fixture: Fixture | undefined;
let bootError: string | undefined;
if (!missing) {
  try {
    fixture = await startSystemd();
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

/** The state root, in the fixture's own /run. */
const ROOT = "/run/tsrun-sd-test";

async function sd(args: string[], systemd = true) {
  return await tsrun([...(systemd ? ["--systemd-cgroup"] : []), ...args], {
    prefix: fx().prefix,
    root: ROOT,
  });
}

/** A bundle outside /tmp, which the fixture has a private one of. */
function bundle(args: string[], edit?: (c: Config) => void): Bundle {
  const tmp = Deno.makeTempDirSync({ dir: "/var/tmp", prefix: "tsrun-sd-test-" });
  Deno.chmodSync(tmp, 0o755);
  return writeBundle(join(tmp, "bundle"), { args, config: edit }, tmp);
}

async function state(id: string): Promise<{ status: string; pid: number }> {
  const r = await sd(["state", id]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function assertGone(id: string, unit: string): Promise<void> {
  assert.equal((await fx().show(unit, "LoadState")).LoadState, "not-found", `${unit} still loaded`);
  assert.deepEqual(fx().dirsOf(`system.slice/${unit}`), [], "cgroup directories left");
  assert.equal((await sd(["state", id])).code, 1, "state left");
}

Deno.test({
  name: "systemd fixture: booted (systemd is installed)",
  ignore,
  fn() {
    fx();
  },
});

Deno.test({
  name: "scope: started around the init with Delegate and the resources as properties",
  ignore,
  async fn() {
    const id = `sd-scope-${Deno.pid}`;
    const unit = `sdt-${id}.scope`;
    const b = bundle(["sleep", "600"], (c) => {
      c.linux.cgroupsPath = `system.slice:sdt:${id}`;
      c.linux.resources = {
        ...c.linux.resources,
        memory: { limit: 64 << 20 },
        pids: { limit: 40 },
        cpu: { shares: 512, quota: 50_000, period: 100_000, cpus: "0" },
      };
    });
    try {
      const r = await sd(["run", "-d", "--bundle", b.dir, id]);
      assert.equal(r.code, 0, r.stderr);
      const p = await fx().show(
        unit,
        "ActiveState",
        "Slice",
        "Delegate",
        "Description",
        "MemoryLimit",
        "TasksMax",
        "CPUShares",
        "CPUQuotaPerSecUSec",
        "ControlGroup",
        "DevicePolicy",
      );
      assert.deepEqual(p, {
        ActiveState: "active",
        Slice: "system.slice",
        Delegate: "yes",
        Description: `tsrun container ${id}`,
        MemoryLimit: String(64 << 20),
        TasksMax: "40",
        CPUShares: "512",
        CPUQuotaPerSecUSec: "500ms",
        ControlGroup: `/system.slice/${unit}`,
        // The config's deny-all device list, as systemd's allow-list.
        DevicePolicy: "strict",
      });
      const allow = await fx().run(["systemctl", "show", unit, "-p", "DeviceAllow"]);
      assert.match(allow.stdout, /\/dev\/char\/1:3 rwm/, "/dev/null allowed");
      assert.match(allow.stdout, /char-pts rwm/, "the pts group by its name");
      // The init is in the scope in every hierarchy, also those systemd leaves alone (cpuset).
      const { pid } = await state(id);
      const cgroups = (await fx().run(["cat", `/proc/${pid}/cgroup`])).stdout.trim().split("\n");
      assert.ok(cgroups.length > 0);
      for (const line of cgroups) assert.match(line, new RegExp(`:/system\\.slice/${unit}$`));
      // What systemd has no v1 property for went to the files.
      const cpuset = fx().hostPath("cpuset", `system.slice/${unit}/cpuset.cpus`);
      assert.equal(Deno.readTextFileSync(cpuset).trim(), "0");
      // A later command finds the scope without the flag, from the state.
      const ps = await sd(["ps", id], false);
      assert.equal(ps.code, 0, ps.stderr);
      assert.match(ps.stdout, /sleep 600/);
      const d = await sd(["delete", "--force", id], false);
      assert.equal(d.code, 0, d.stderr);
      await assertGone(id, unit);
    } finally {
      await sd(["delete", "--force", id]);
      await b.cleanup();
    }
  },
});

Deno.test({
  name: "exec joins the scope; pause/resume, update, events, kill --all act on it",
  ignore,
  async fn() {
    const id = `sd-ops-${Deno.pid}`;
    const unit = `tsrun-${id}.scope`; // an empty cgroupsPath: tsrun's default unit
    const b = bundle(["sleep", "600"], (c) => c.linux.resources.memory = { limit: 64 << 20 });
    try {
      const r = await sd(["run", "-d", "--bundle", b.dir, id]);
      assert.equal(r.code, 0, r.stderr);
      const e = await sd(["exec", id, "cat", "/proc/self/cgroup"]);
      assert.equal(e.code, 0, e.stderr);
      for (const line of e.stdout.trim().split("\n")) {
        assert.match(line, new RegExp(`:/system\\.slice/${unit}$`));
      }
      const bg = await sd(["exec", "-d", id, "sleep", "601"]);
      assert.equal(bg.code, 0, bg.stderr);
      const procs = fx().hostPath("pids", `system.slice/${unit}/cgroup.procs`);
      // Once empty, systemd stops the scope and removes its directory.
      const count = () => readOr(procs).split("\n").filter(Boolean).length;
      assert.equal(await until(count, (n) => n === 2), 2, "the exec'd sleep is in the scope");

      assert.equal((await sd(["pause", id])).code, 0);
      assert.equal((await state(id)).status, "paused");
      const freezer = fx().hostPath("freezer", `system.slice/${unit}/freezer.state`);
      assert.equal(Deno.readTextFileSync(freezer).trim(), "FROZEN");
      assert.equal((await sd(["resume", id])).code, 0);
      assert.equal((await state(id)).status, "running");
      assert.equal(Deno.readTextFileSync(freezer).trim(), "THAWED");

      const u = await sd(["update", "--memory", String(96 << 20), "--pids-limit", "30", id]);
      assert.equal(u.code, 0, u.stderr);
      const p = await fx().show(unit, "MemoryLimit", "TasksMax");
      assert.deepEqual(p, { MemoryLimit: String(96 << 20), TasksMax: "30" });
      const limit = fx().hostPath("memory", `system.slice/${unit}/memory.limit_in_bytes`);
      assert.equal(Deno.readTextFileSync(limit).trim(), String(96 << 20));
      // events reads the scope's statistics.
      const ev = await sd(["events", "--stats", id]);
      assert.equal(ev.code, 0, ev.stderr);
      const stats = JSON.parse(ev.stdout);
      assert.equal(stats.type, "stats");
      assert.equal(stats.data.memory.usage.limit, 96 << 20);
      assert.equal(stats.data.pids.current, 2);

      // kill --all reaches the exec'd process as well; the init then stops.
      assert.equal((await sd(["kill", "--all", id, "KILL"])).code, 0);
      assert.equal(
        await until(async () => (await state(id)).status, (s) => s === "stopped"),
        "stopped",
      );
      assert.equal(await until(count, (n) => n === 0), 0);
      assert.equal((await sd(["delete", id])).code, 0);
      await assertGone(id, unit);
    } finally {
      await sd(["delete", "--force", id]);
      await b.cleanup();
    }
  },
});

Deno.test({
  name: "errors: a unit name in use, a cgroupsPath not slice:prefix:name; nothing left",
  ignore,
  async fn() {
    const first = `sd-clash-${Deno.pid}`;
    const second = `sd-clash2-${Deno.pid}`;
    const unit = `sdt-same-${Deno.pid}.scope`;
    const b = bundle(
      ["sleep", "600"],
      (c) => c.linux.cgroupsPath = `system.slice:sdt:same-${Deno.pid}`,
    );
    try {
      assert.equal((await sd(["run", "-d", "--bundle", b.dir, first])).code, 0);
      const r = await sd(["run", "-d", "--bundle", b.dir, second]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`systemd: start ${unit}: Unit ${unit} was already loaded`));
      assert.equal((await sd(["state", second])).code, 1, "no state of the failed create");
      // The other container's scope is untouched.
      assert.equal((await fx().show(unit, "ActiveState")).ActiveState, "active");

      b.config.linux.cgroupsPath = "/not/systemd";
      b.writeConfig();
      const bad = await sd(["run", "-d", "--bundle", b.dir, second]);
      assert.equal(bad.code, 1);
      assert.equal(
        bad.stderr.trim(),
        'tsrun: cgroupsPath "/not/systemd": the systemd cgroup driver needs the form "slice:prefix:name"',
      );
      assert.equal((await sd(["state", second])).code, 1);

      assert.equal((await sd(["delete", "--force", first])).code, 0);
      await assertGone(first, unit);
    } finally {
      await sd(["delete", "--force", first]);
      await sd(["delete", "--force", second]);
      await b.cleanup();
    }
  },
});

Deno.test({
  name: "a SIGKILLed create is cleaned up by delete --force: no unit, no cgroup, no state",
  ignore,
  async fn() {
    const id = `sd-killed-${Deno.pid}`;
    const unit = `tsrun-${id}.scope`;
    const marker = `sd-hook-${Deno.pid}`;
    // create waits in its createRuntime hook, after the scope started: it is killed there.
    const b = bundle(["sleep", "600"], (c) => {
      c.hooks = {
        createRuntime: [{ path: "/bin/sh", args: ["sh", "-c", `sleep 60; : ${marker}`] }],
      };
    });
    try {
      const create = sd(["create", "--bundle", b.dir, id]);
      const running = await until(
        () => processesMatching(marker).length > 0,
        (found) => found,
        20_000,
      );
      assert.ok(running, "the hook never ran");
      assert.equal((await fx().show(unit, "ActiveState")).ActiveState, "active", "the scope is up");
      // tsrun itself (not the shell or nsenter running it), and the hook it waits for.
      for (const p of processesMatching(`create --bundle ${b.dir} ${id}`)) {
        if (!p.cmdline.includes("nsenter")) Deno.kill(p.pid, "SIGKILL");
      }
      for (const p of processesMatching(marker)) {
        const hook = Deno.readTextFileSync(`/proc/${p.pid}/task/${p.pid}/children`).trim();
        for (const child of [p.pid, ...hook.split(" ").filter(Boolean).map(Number)]) {
          Deno.kill(child, "SIGKILL");
        }
      }
      assert.notEqual((await create).code, 0);
      // The init may follow (its channel to create closed), and systemd then drops the scope:
      // what is left of it in the hierarchies systemd does not manage is delete's to remove.
      const d = await sd(["delete", "--force", id]);
      assert.equal(d.code, 0, d.stderr);
      await assertGone(id, unit);
    } finally {
      await sd(["delete", "--force", id]);
      await b.cleanup();
    }
  },
});

function hostRunsSystemd(): boolean {
  try {
    Deno.statSync("/run/systemd/private");
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "without a systemd to ask: one line, in --log too, and nothing made",
  ignore: skipUnless(
    Deno.uid() === 0 && !hostRunsSystemd(),
    "needs root on a host that does not run systemd",
  ),
  async fn() {
    const id = `sd-nosystemd-${Deno.pid}`;
    const b = bundle(["true"]);
    const log = join(b.dir, "log.json");
    try {
      const r = await tsrun([
        ...["--systemd-cgroup", "--log", log, "--log-format", "json"],
        ...["run", "-d", "--bundle", b.dir, id],
      ]);
      assert.equal(r.code, 1);
      const line = "cannot reach systemd: connect /run/systemd/private: no such file or directory";
      assert.equal(r.stderr, `tsrun: ${line} (ENOENT)\n`);
      assert.equal(JSON.parse(Deno.readTextFileSync(log)).msg, `${line} (ENOENT)`);
      assert.equal((await tsrun(["state", id])).code, 1, "no state");
    } finally {
      await b.cleanup();
    }
  },
});

Deno.test({
  name: "systemd fixture: stops, leaving no process, cgroup or directory behind",
  ignore,
  async fn() {
    const f = fx();
    fixture = undefined;
    await stopClean(f);
    assert.deepEqual(hostMounts(), mountsBefore, "the host's mounts changed");
  },
});
