// A delegated cgroup v1 hierarchy: the test user owns a cgroup in the freezer hierarchy only (as
// an admin may hand one out) and runs tsrun from a child of it. As runc's rootless cgroups, the
// container's cgroup is made in the hierarchies the user may write and left out of the rest:
// pause/resume work through that freezer, delete removes it, and a limit in a hierarchy it may
// not write fails naming the field.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { join } from "node:path";
import { skipUnless } from "../helpers/mod.ts";
import { until } from "../helpers/wait.ts";
import { detect } from "../../runtime/cgroups/detect.ts";
import { asUser, rootlessBundle, rootlessMissing, type TestUser, testUser } from "./user.ts";

/** The v1 freezer hierarchy's mount point, when this host has one. */
function freezerMount(): string | undefined {
  try {
    return detect().v1.find((h) => h.controllers.includes("freezer"))?.mountpoint;
  } catch {
    return undefined;
  }
}

const freezer = freezerMount();
const ignore = rootlessMissing() ||
  skipUnless(freezer !== undefined, "no cgroup v1 freezer hierarchy on this host");

const read = (path: string) => Deno.readTextFileSync(path).trim();

/** `<freezer>/rl-deleg-PID/caller`, owned by the user (the files a v1 delegation hands over). */
function delegate(user: TestUser): { caller: string; remove(): void } {
  const top = `${freezer}/rl-deleg-${Deno.pid}`;
  const caller = `${top}/caller`;
  Deno.mkdirSync(caller, { recursive: true });
  for (const d of [top, caller]) {
    for (const f of ["", "cgroup.procs", "tasks"]) Deno.chownSync(join(d, f), user.uid, user.gid);
  }
  return {
    caller,
    remove() {
      for (const d of [caller, top]) {
        try {
          Deno.removeSync(d);
        } catch { /* gone, or still holding a process: the assertions say so */ }
      }
    },
  };
}

/** The cgroups below `dir` (a container's left behind). */
const children = (dir: string) =>
  [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name);

Deno.test(
  { name: "rootless, delegated v1 freezer: the cgroup there only, pause/resume, delete", ignore },
  async () => {
    const user = await testUser();
    const deleg = delegate(user);
    const b = await rootlessBundle(user, ["sleep", "86451"]);
    const tsrun = (...args: string[]) =>
      asUser(user, args, {
        cwd: b.dir,
        env: { XDG_RUNTIME_DIR: b.dir },
        cgroupProcs: `${deleg.caller}/cgroup.procs`,
      });
    const id = "rl-deleg-v1";
    const cgroup = `${deleg.caller}/${id}`;
    try {
      let r = await tsrun("run", "-d", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      const saved = JSON.parse(Deno.readTextFileSync(join(b.dir, "tsrun", id, "state.json")));
      const v1 = Object.keys(saved.cgroup.paths).filter((c) => c !== "");
      assertEquals(v1, ["freezer"], "only the hierarchy the user may write");
      const pid = JSON.parse((await tsrun("state", id)).stdout).pid;
      assertEquals(read(`${cgroup}/cgroup.procs`), String(pid));

      r = await tsrun("pause", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(read(`${cgroup}/freezer.state`), "FROZEN");
      assertEquals(JSON.parse((await tsrun("state", id)).stdout).status, "paused");
      r = await tsrun("resume", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(read(`${cgroup}/freezer.state`), "THAWED");
      r = await tsrun("ps", "--format", "json", id);
      assertEquals(JSON.parse(r.stdout), [pid]);
      // An exec'd process joins the same cgroups.
      const relative = cgroup.slice(freezer!.length);
      r = await tsrun("exec", id, "grep", ":freezer:", "/proc/self/cgroup");
      assertEquals([r.code, r.stdout.replace(/^\d+/, ""), r.stderr], [
        0,
        `:freezer:${relative}\n`,
        "",
      ]);

      r = await tsrun("kill", id, "KILL");
      assertEquals([r.code, r.stderr], [0, ""]);
      const status = await until(
        async () => JSON.parse((await tsrun("state", id)).stdout).status,
        (s) => s === "stopped",
      );
      assertEquals(status, "stopped");
      r = await tsrun("delete", id);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(children(deleg.caller), [], "delete removed the container's cgroup");
    } finally {
      await tsrun("delete", "--force", id);
      deleg.remove();
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "rootless, delegated v1 freezer: a limit elsewhere fails naming the field", ignore },
  async () => {
    const user = await testUser();
    const deleg = delegate(user);
    const b = await rootlessBundle(
      user,
      ["true"],
      (c) => (c.linux.resources = { pids: { limit: 10 } }),
    );
    try {
      const r = await asUser(user, ["run", "rl-deleg-v1-limit"], {
        cwd: b.dir,
        env: { XDG_RUNTIME_DIR: b.dir },
        cgroupProcs: `${deleg.caller}/cgroup.procs`,
      });
      assertEquals(r.code, 1);
      match(r.stderr, /^tsrun: linux\.resources\.pids\.limit: cannot be applied: rootless, and /);
      assertEquals(r.stderr.split("\n").length, 2, "one line");
      assertEquals([...Deno.readDirSync(join(b.dir, "tsrun"))], []);
      assertEquals(children(deleg.caller), [], "nothing left in the freezer");
    } finally {
      deleg.remove();
      await b.cleanup();
    }
  },
);
