// Resource limits bound the container's process, not tsrun's own init: they are applied once
// the init has finished its setup (as runc does), on create and on run, with and without a user
// namespace. A limit below what the init already uses fails with one clear line and leaves
// nothing behind.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import {
  type Config,
  leftovers,
  makeBundle,
  requireRoot,
  skipUnless,
  tsrun,
} from "../helpers/mod.ts";
import { addUserns } from "../config/util.ts";

/** A v1 hierarchy of this controller is mounted (this process is in one of its cgroups). */
function v1Controller(name: string): boolean {
  return Deno.readTextFileSync("/proc/self/cgroup").split("\n").some((l) =>
    l.split(":")[1]?.split(",").includes(name)
  );
}

function v2Controller(name: string): boolean {
  try {
    return Deno.readTextFileSync("/sys/fs/cgroup/cgroup.controllers").split(" ").includes(name);
  } catch {
    return false;
  }
}

const has = (name: string) => v1Controller(name) || v2Controller(name);
const ignore = requireRoot("cgroup limits") ||
  skipUnless(has("pids") && has("memory"), "the pids and memory controllers");
// cgroup2's memory.max takes any value (the kernel reclaims, then OOM-kills); v1's
// memory.limit_in_bytes refuses one below the current usage, which create must report. What the
// init's Deno allocated before it was moved in is not charged to the container (on v1 as root
// tsrun moves it in while it starts): one page is surely below what it used since.
const ignoreTiny = ignore || skipUnless(v1Controller("memory"), "a v1 memory controller");

const MiB = 1024 * 1024;

function assertNothingLeft(dir: string, id: string, what: string) {
  const none = { mounts: [], cgroups: [], processes: [] };
  assertEquals(leftovers({ path: dir, marker: id }), none, what);
}

for (const userns of [false, true]) {
  const ns = userns ? "with a user namespace" : "without a user namespace";
  const config = (c: Config, resources: Record<string, unknown>) => {
    c.linux.resources = { ...c.linux.resources, ...resources };
    if (userns) addUserns(c);
  };

  Deno.test({ name: `pids.limit 3 and a 32 MiB memory limit, ${ns}`, ignore }, async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "echo ok"],
      config: (c) => config(c, { pids: { limit: 3 }, memory: { limit: 32 * MiB } }),
    });
    const id = `init-limits-${userns ? "userns" : "plain"}`;
    try {
      const r = await tsrun(["run", "-b", b.dir, id]);
      assertEquals([r.code, r.stdout, r.stderr], [0, "ok\n", ""], "run");
      assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0, "create");
      assertEquals((await tsrun(["start", id])).code, 0, "start");
      assertEquals((await tsrun(["delete", "--force", id])).code, 0);
      assertNothingLeft(b.dir, id, "after delete");
    } finally {
      await b.cleanup();
    }
  });

  Deno.test({
    name: `a one-page memory limit fails in one line, ${ns}`,
    ignore: ignoreTiny,
  }, async () => {
    const b = await makeBundle({
      args: ["true"],
      config: (c) => config(c, { memory: { limit: 4096 } }),
    });
    const id = `init-tiny-mem-${userns ? "userns" : "plain"}`;
    try {
      for (const cmd of ["create", "run"]) {
        const r = await tsrun([cmd, "-b", b.dir, id]);
        assertEquals(r.code, 1, cmd);
        match(r.stderr, /^tsrun: linux\.resources\.memory\.limit: [^\n]*\n$/, cmd);
        assertNothingLeft(b.dir, id, cmd);
        assertEquals((await tsrun(["state", id])).code, 1, `${cmd}: no state`);
      }
    } finally {
      await tsrun(["delete", "--force", id]);
      await b.cleanup();
    }
  });
}
