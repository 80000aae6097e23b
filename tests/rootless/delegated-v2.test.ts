// A delegated cgroup v2 subtree (as systemd's Delegate=yes gives a user's session): on a pure v2
// view of this host, the test user owns a cgroup and runs tsrun from a leaf below it. Its
// containers get their cgroups there (runc's default v2 path: the caller's cgroup's parent),
// which the user may freeze: pause/resume work, and delete removes the cgroup.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { processesMatching, skipUnless } from "../helpers/mod.ts";
import { until } from "../helpers/wait.ts";
import { PureV2 } from "../cgroupv2/pure-v2.ts";
import {
  asUser,
  rootlessBundle,
  rootlessMissing,
  type TestUser,
  testUser,
  userTsrun,
} from "./user.ts";

let v2: PureV2 | string = "rootless tests cannot run here";
if (!rootlessMissing()) {
  // Bound before the namespace is made, which then has the bind mount too.
  userTsrun();
  v2 = await PureV2.open();
}
const ignore = skipUnless(typeof v2 !== "string", `delegated cgroup v2 subtree: ${v2}`);
const ns = v2 as PureV2;

const read = (path: string) => Deno.readTextFileSync(path).trim();

/** The files systemd hands a delegated cgroup's owner (systemd.resource-control(5), Delegate=). */
const DELEGATED_FILES = ["", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"];

/** `<root>/rl-deleg-PID` owned by the user, and a leaf `caller` in it for tsrun's own process. */
function delegate(user: TestUser): { dir: string; callerProcs: string; remove(): void } {
  const dir = `/rl-deleg-${Deno.pid}`;
  const abs = `${ns.cgroupRoot}${dir}`;
  Deno.mkdirSync(`${abs}/caller`, { recursive: true });
  for (const d of [abs, `${abs}/caller`]) {
    for (const f of DELEGATED_FILES) Deno.chownSync(join(d, f), user.uid, user.gid);
  }
  return {
    dir,
    callerProcs: `${abs}/caller/cgroup.procs`,
    remove() {
      for (const d of [`${abs}/caller`, abs]) {
        try {
          Deno.removeSync(d);
        } catch { /* gone, or still holding a process: the assertions say so */ }
      }
    },
  };
}

Deno.test(
  { name: "rootless, delegated v2 subtree: a cgroup there, pause/resume, delete", ignore },
  async () => {
    const user = await testUser();
    const deleg = delegate(user);
    const marker = "86431";
    const b = await rootlessBundle(user, ["sleep", marker]);
    const tsrun = (...args: string[]) =>
      asUser(user, args, {
        cwd: b.dir,
        env: { XDG_RUNTIME_DIR: b.dir },
        prefix: ns.enter,
        cgroupProcs: deleg.callerProcs,
      });
    const id = "rl-deleg";
    const cgroup = `${ns.cgroupRoot}${deleg.dir}/${id}`;
    try {
      let r = await tsrun("run", "-d", "-b", b.dir, id);
      assertEquals([r.code, r.stderr], [0, ""]);
      const state = JSON.parse((await tsrun("state", id)).stdout);
      assertEquals(read(`${cgroup}/cgroup.procs`), String(state.pid));
      assertEquals(Deno.statSync(cgroup).uid, user.uid);

      r = await tsrun("pause", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      match(read(`${cgroup}/cgroup.events`), /^frozen 1$/m);
      assertEquals(JSON.parse((await tsrun("state", id)).stdout).status, "paused");
      r = await tsrun("resume", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      match(read(`${cgroup}/cgroup.events`), /^frozen 0$/m);

      r = await tsrun("exec", id, "grep", "^0::", "/proc/self/cgroup");
      assertEquals([r.code, r.stdout, r.stderr], [0, `0::${deleg.dir}/${id}\n`, ""]);
      r = await tsrun("ps", "--format", "json", id);
      assertEquals(JSON.parse(r.stdout), [state.pid]);

      r = await tsrun("kill", id, "KILL");
      assertEquals([r.code, r.stderr], [0, ""]);
      const stopped = await until(
        async () => JSON.parse((await tsrun("state", id)).stdout).status,
        (s) => s === "stopped",
        5000,
      );
      assertEquals(stopped, "stopped");
      r = await tsrun("delete", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(
        [...Deno.readDirSync(`${ns.cgroupRoot}${deleg.dir}`)].filter((e) => e.isDirectory).map((
          e,
        ) => e.name),
        ["caller"],
      );
      assertEquals(processesMatching(marker), []);
    } finally {
      await tsrun("delete", "--force", id);
      deleg.remove();
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "rootless, delegated v2 subtree: a limit is applied there, or named", ignore },
  async () => {
    const user = await testUser();
    const deleg = delegate(user);
    const b = await rootlessBundle(
      user,
      ["cat", "/sys/fs/cgroup/pids.max"],
      (c) => (c.linux.resources = { pids: { limit: 42 } }),
    );
    const id = "rl-deleg-limit";
    try {
      const r = await asUser(user, ["run", "-b", b.dir, id], {
        cwd: b.dir,
        env: { XDG_RUNTIME_DIR: b.dir },
        prefix: ns.enter,
        cgroupProcs: deleg.callerProcs,
      });
      if (ns.controllers().includes("pids")) {
        assertEquals([r.code, r.stdout, r.stderr], [0, "42\n", ""]);
      } else {
        // This host binds pids to v1: its v2 hierarchy cannot limit pids.
        assertEquals(r.code, 1);
        match(r.stderr, /^tsrun: linux\.resources\.pids\.limit: needs the pids controller, /);
        assertEquals(r.stderr.split("\n").length, 2, "one line");
      }
      assertEquals([...Deno.readDirSync(join(b.dir, "tsrun"))], []);
      ok(!Deno.readDirSync(`${ns.cgroupRoot}${deleg.dir}`).some((e) => e.name === id));
    } finally {
      deleg.remove();
      await b.cleanup();
    }
  },
);
