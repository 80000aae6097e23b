// Reopening a container's cgroup from its recorded directories: a caller in another cgroup
// (engines run delete/pause/... from elsewhere than create) must reach the same directories.
import assert from "node:assert/strict";
import { cgroupManager, reopenCgroup } from "../../runtime/cgroups/mod.ts";
import { fakeCgroup, fakeProc, read } from "./fake-host.ts";

function tree(ownCgroup: string) {
  const root = Deno.makeTempDirSync({ prefix: "tsrun-cgreopen-" });
  const creator = fakeProc(ownCgroup);
  const other = fakeProc(ownCgroup.replaceAll("/user/me", "/elsewhere"));
  return {
    root,
    creator,
    other,
    cleanup: () => {
      for (const d of [root, creator, other]) Deno.removeSync(d, { recursive: true });
    },
  };
}

Deno.test("hybrid tree: a relative cgroupsPath is reopened where create put it", () => {
  const t = tree("4:freezer:/user/me\n3:memory:/user/me\n2:pids:/\n0::/user/me\n");
  try {
    for (const d of ["memory", "pids", "freezer"]) Deno.mkdirSync(`${t.root}/${d}`);
    fakeCgroup(`${t.root}/unified`, { "cgroup.controllers": "", "cgroup.subtree_control": "" });
    const made = cgroupManager({ root: t.root, proc: t.creator, id: "c1" });
    assert.equal(made.layout, "hybrid");
    const record = JSON.parse(JSON.stringify({ layout: made.layout, paths: made.paths }));

    const naive = cgroupManager({ root: t.root, proc: t.other, id: "c1" });
    assert.notEqual(naive.paths.memory, made.paths.memory, "resolving again goes elsewhere");

    const again = reopenCgroup("c1", record, { root: t.root, proc: t.other });
    assert.deepEqual(again.paths, made.paths);
    assert.equal(again.paths.freezer, `${t.root}/freezer/user/me/c1`);
    assert.equal(again.paths[""], `${t.root}/unified/user/me/c1`);
    fakeCgroup(again.paths.freezer, { "freezer.state": "THAWED\n" });
    again.freeze();
    assert.equal(read(`${made.paths.freezer}/freezer.state`), "FROZEN");
  } finally {
    t.cleanup();
  }
});

Deno.test("v1 tree: a hierarchy the record does not name is left out", () => {
  const t = tree("3:memory:/user/me\n2:pids:/user/me\n");
  try {
    for (const d of ["memory", "pids"]) Deno.mkdirSync(`${t.root}/${d}`);
    const made = cgroupManager({ root: t.root, proc: t.creator, id: "c2" });
    Deno.mkdirSync(`${t.root}/blkio`); // mounted after the container was made
    const again = reopenCgroup("c2", { layout: made.layout, paths: made.paths }, {
      root: t.root,
      proc: t.other,
    });
    assert.deepEqual(Object.keys(again.paths).sort(), ["memory", "pids"]);
  } finally {
    t.cleanup();
  }
});

Deno.test("v2 tree: reopened at the recorded directory; a record without paths is an error", () => {
  const t = tree("0::/user/me/shell\n");
  try {
    const root = `${t.root}/cg`;
    fakeCgroup(root, { "cgroup.controllers": "pids\n", "cgroup.subtree_control": "" });
    const made = cgroupManager({ root, proc: t.creator, id: "c3" });
    assert.deepEqual(made.paths, { "": `${root}/user/me/c3` });
    const again = reopenCgroup("c3", { layout: "v2", paths: made.paths }, {
      root,
      proc: t.other,
    });
    assert.deepEqual(again.paths, made.paths);
    assert.throws(
      () => reopenCgroup("c3", { layout: "v2", paths: {} }, { root, proc: t.other }),
      /^CgroupError: container c3: no cgroup2 directory recorded$/,
    );
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => reopenCgroup("c3", { cgroupsPath: "" } as any, { root, proc: t.other }),
      /container c3: its state records no cgroup directories/,
    );
  } finally {
    t.cleanup();
  }
});
