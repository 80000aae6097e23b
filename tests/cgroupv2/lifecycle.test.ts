// create/start/run/delete on a pure cgroup v2 layout: the init is born in the container's
// cgroup (clone3 CLONE_INTO_CGROUP, with no cgroup.procs write behind it), and the directory
// goes with the container.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { makeBundle, processesMatching, skipUnless } from "../helpers/mod.ts";
import { alive, until } from "../ops/util.ts";
import { PureV2 } from "./pure-v2.ts";

const v2 = await PureV2.open();
const ignore = skipUnless(typeof v2 !== "string", `pure cgroup v2 view: ${v2}`);
const ns = v2 as PureV2;

/** The /proc/PID/cgroup line of the unified hierarchy, as the container's path in it. */
const unifiedPath = (pid: number) =>
  Deno.readTextFileSync(`/proc/${pid}/cgroup`).split("\n").find((l) => l.startsWith("0::"))
    ?.slice(3);

Deno.test(
  { name: "v2 create: the init is cloned into its cgroup; delete removes it", ignore },
  async () => {
    const b = await makeBundle({ args: ["sleep", "60"] });
    const id = `v2-create-${Deno.pid}`;
    try {
      const created = await ns.tsrun(["create", "-b", b.dir, id]);
      assertEquals([created.code, created.stderr], [0, ""]);
      const pid = await ns.pid(id);
      const dir = ns.cgroupDir(id);
      const inHierarchy = dir.slice(ns.cgroupRoot.length);
      ok(inHierarchy.endsWith(`/${id}`), `the relative cgroupsPath names ${inHierarchy}`);
      // V2Manager writes no cgroup.procs at create: only the clone can have put the init here.
      assertEquals(unifiedPath(pid), inHierarchy);
      assertEquals(Deno.readTextFileSync(`${dir}/cgroup.procs`), `${pid}\n`);
      assertEquals(await ns.status(id), "created");

      assertEquals((await ns.tsrun(["start", id])).code, 0);
      assertEquals(await ns.status(id), "running");
      assertEquals(unifiedPath(pid), inHierarchy, "the started process stays there");

      assertEquals((await ns.tsrun(["kill", id, "KILL"])).code, 0);
      assertEquals(await until(() => ns.status(id), (s) => s === "stopped"), "stopped");
      const deleted = await ns.tsrun(["delete", id]);
      assertEquals([deleted.code, deleted.stdout, deleted.stderr], [0, "", ""]);
      ok(!alive(pid));
      assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] });
      assertEquals(processesMatching(id), []);
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "v2 run: the process sees its cgroup, and nothing is left after", ignore },
  async () => {
    const b = await makeBundle({ args: ["sh", "-c", "cat /proc/self/cgroup; exit 3"] });
    const id = `v2-run-${Deno.pid}`;
    try {
      const r = await ns.tsrun(["run", "-b", b.dir, id]);
      assertEquals([r.code, r.stderr], [3, ""]);
      match(r.stdout, new RegExp(`^0::/(.+/)?${id}$`, "m"));
      assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] });
      match(await ns.status(id), /does not exist/);
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "v2 relative cgroupsPath: beside a caller's busy cgroup (under its parent), as runc",
  ignore,
}, async () => {
  const b = await makeBundle({ args: ["sleep", "60"] });
  const id = `v2-beside-${Deno.pid}`;
  const parent = `/tsrun-v2-slice-${Deno.pid}`;
  const session = `${parent}/session`;
  Deno.mkdirSync(`${ns.cgroupRoot}${session}`, { recursive: true });
  try {
    const r = await ns.tsrun(["create", "-b", b.dir, id], { cgroup: session });
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals(ns.cgroupDir(id), `${ns.cgroupRoot}${parent}/${id}`);
    assertEquals(unifiedPath(await ns.pid(id)), `${parent}/${id}`);
    // Later commands reopen the recorded directory from any cgroup.
    assertEquals((await ns.tsrun(["delete", "-f", id])).code, 0);
    assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] });
  } finally {
    await ns.tsrun(["delete", "-f", id]);
    for (const dir of [session, parent]) {
      await Deno.remove(`${ns.cgroupRoot}${dir}`).catch(() => {});
    }
    await b.cleanup();
  }
});
