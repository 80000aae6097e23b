// linux.resources on a pure cgroup v2 layout: limits for controllers the hierarchy lacks are
// refused before anything is left behind; hugepageLimits land in hugetlb.<size>.max, at create
// and by update.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { hugePageSizes } from "../../runtime/cgroups/stats-types.ts";
import { type Config, makeBundle, processesMatching, skipUnless } from "../helpers/mod.ts";
import { PureV2 } from "./pure-v2.ts";

const v2 = await PureV2.open();
const ignore = skipUnless(typeof v2 !== "string", `pure cgroup v2 view: ${v2}`);
const ns = v2 as PureV2;
const offered = ignore ? [] : ns.controllers();

/** A limit per controller, its field as errors name it, and the file it lands in. */
const LIMITS = [
  {
    controller: "memory",
    field: "memory.limit",
    set: (c: Config) => (c.linux.resources.memory = { limit: 64 << 20 }),
    file: ["memory.max", String(64 << 20)],
  },
  {
    controller: "pids",
    field: "pids.limit",
    set: (c: Config) => (c.linux.resources.pids = { limit: 20 }),
    file: ["pids.max", "20"],
  },
  {
    controller: "cpu",
    field: "cpu.quota",
    set: (c: Config) => (c.linux.resources.cpu = { quota: 20000, period: 100000 }),
    file: ["cpu.max", "20000 100000"],
  },
];
const missing = LIMITS.filter((l) => !offered.includes(l.controller));
const present = LIMITS.filter((l) => offered.includes(l.controller));

Deno.test({
  name: "v2 create refuses limits for controllers the hierarchy lacks, leaving nothing",
  ignore: ignore ||
    skipUnless(missing.length > 0, "this cgroup2 hierarchy has memory, pids and cpu"),
}, async () => {
  for (const l of missing) {
    const b = await makeBundle({ args: ["sleep", "60"], config: l.set });
    const id = `v2-lacks-${l.controller}-${Deno.pid}`;
    try {
      const r = await ns.tsrun(["create", "-b", b.dir, id]);
      assertEquals(r.code, 1, l.controller);
      match(
        r.stderr,
        new RegExp(
          `^tsrun: linux\\.resources\\.${l.field}: needs the ${l.controller} controller[^\n]*\n$`,
        ),
      );
      match(await ns.status(id), /does not exist/);
      assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] });
      assertEquals(processesMatching(id), []);
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  }
});

Deno.test({
  name: "v2 create applies limits for controllers the hierarchy has",
  ignore: ignore || skipUnless(present.length > 0, "this cgroup2 has no memory, pids or cpu"),
}, async () => {
  for (const l of present) {
    const b = await makeBundle({ args: ["sleep", "60"], config: l.set });
    const id = `v2-has-${l.controller}-${Deno.pid}`;
    try {
      assertEquals((await ns.tsrun(["create", "-b", b.dir, id])).code, 0, l.controller);
      const [file, value] = l.file;
      assertEquals(Deno.readTextFileSync(`${ns.cgroupDir(id)}/${file}`).trim(), value);
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  }
});

// Limits are multiples of the page size, so the tests' 4 and 8 MiB need 2 MB pages.
const size = hugePageSizes().includes("2MB") ? "2MB" : undefined;
Deno.test({
  name: "v2 hugepageLimits: set at create in a nested cgroupsPath, changed by update",
  ignore: ignore || skipUnless(offered.includes("hugetlb"), "no hugetlb on this cgroup2") ||
    skipUnless(size !== undefined, "this kernel has no 2 MB huge pages"),
}, async () => {
  const id = `v2-huge-${Deno.pid}`;
  const parent = `/tsrun-v2-parent-${Deno.pid}`; // runc too leaves parents it made
  const b = await makeBundle({
    args: ["sleep", "60"],
    config: (c) => {
      c.linux.cgroupsPath = `${parent}/${id}`;
      c.linux.resources.hugepageLimits = [{ pageSize: size, limit: 4 << 20 }];
    },
  });
  const limit = (f = "max") =>
    Deno.readTextFileSync(`${ns.cgroupRoot}${parent}/${id}/hugetlb.${size}.${f}`).trim();
  try {
    assertEquals((await ns.tsrun(["create", "-b", b.dir, id])).code, 0);
    assertEquals(ns.cgroupDir(id), `${ns.cgroupRoot}${parent}/${id}`);
    assertEquals(limit(), String(4 << 20));

    const up = await ns.tsrun(["update", "-r", "-", id], {
      stdin: JSON.stringify({ hugepageLimits: [{ pageSize: size, limit: 8 << 20 }] }),
    });
    assertEquals([up.code, up.stderr], [0, ""]);
    assertEquals(limit(), String(8 << 20));
    try {
      // Kernels with reservation accounting get the same limit there (as runc does).
      assertEquals(limit("rsvd.max"), String(8 << 20));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }

    const bad = await ns.tsrun(["update", "-r", "-", id], {
      stdin: JSON.stringify({ hugepageLimits: [{ pageSize: "3MB", limit: 1 << 20 }] }),
    });
    assertEquals(bad.code, 1);
    match(bad.stderr, /^tsrun: [^\n]*hugepageLimits[^\n]*3MB[^\n]*\n$/);
    assertEquals(limit(), String(8 << 20), "a refused update changes nothing");

    assertEquals((await ns.tsrun(["delete", "-f", id])).code, 0);
    assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] });
  } finally {
    await ns.tsrun(["delete", "-f", id]);
    await Deno.remove(`${ns.cgroupRoot}${parent}`).catch(() => {});
    await b.cleanup();
  }
});
