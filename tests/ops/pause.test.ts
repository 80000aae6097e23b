// pause and resume: the processes really stop and go on; refusals follow the lifecycle.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { assertNothingLeft, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { alive, COUNTER, counter, initPid, sleep, status, until } from "./util.ts";

const ignore = requireRoot("pause/resume");

Deno.test({ name: "pause freezes every process; resume lets them go on", ignore }, async () => {
  const b = await makeBundle({ args: COUNTER, config: (c) => (c.root.readonly = false) });
  const id = "ops-pause";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    ok(await until(() => counter(b.rootfs), (n) => n > 0) > 0, "the counter runs");
    const pid = await initPid(id);

    const paused = await tsrun(["pause", id]);
    assertEquals([paused.code, paused.stdout, paused.stderr], [0, "", ""]);
    assertEquals(await status(id), "paused");
    const frozenAt = counter(b.rootfs);
    await sleep(300);
    assertEquals(counter(b.rootfs), frozenAt, "no progress while paused");
    // The v1 freezer shows frozen tasks in D, the v2 one in S: either way not running.
    match(Deno.readTextFileSync(`/proc/${pid}/status`), /State:\s+[DS]/);

    const again = await tsrun(["pause", id]);
    assertEquals(again.code, 1);
    // runc says "container not running"; the wording is the lifecycle table's (state/status.ts).
    match(again.stderr, /^tsrun: container (already paused|not running)\n$/);
    assertEquals(await status(id), "paused");

    const resumed = await tsrun(["resume", id]);
    assertEquals([resumed.code, resumed.stdout, resumed.stderr], [0, "", ""]);
    assertEquals(await status(id), "running");
    ok(await until(() => counter(b.rootfs), (n) => n > frozenAt) > frozenAt, "counting again");

    const notPaused = await tsrun(["resume", id]);
    assertEquals([notPaused.code, notPaused.stderr], [1, "tsrun: container not paused\n"]);
    ok(alive(pid));
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

Deno.test(
  { name: "delete --force, kill KILL and kill --all KILL end a paused container", ignore },
  async () => {
    const b = await makeBundle({ args: ["sleep", "60"] });
    try {
      const cases: [string, string[]][] = [
        ["ops-pdel", ["delete", "--force", "ops-pdel"]],
        ["ops-pkill", ["kill", "ops-pkill", "KILL"]],
        ["ops-pkilla", ["kill", "--all", "ops-pkilla", "KILL"]],
      ];
      for (const [id, cmd] of cases) {
        try {
          assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0, id);
          const pid = await initPid(id);
          assertEquals((await tsrun(["pause", id])).code, 0, id);
          const r = await tsrun(cmd);
          assertEquals([r.code, r.stderr], [0, ""], id);
          assertEquals(await until(() => alive(pid), (a) => !a), false, `${id}: the init died`);
          await tsrun(["delete", "-f", id]);
          assertNothingLeft({ marker: id });
        } finally {
          await tsrun(["delete", "-f", id]);
        }
      }
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({ name: "pause and resume refuse stopped and unknown containers", ignore }, async () => {
  const b = await makeBundle({ args: ["true"] });
  const id = "ops-pstop";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    assertEquals(await until(() => status(id), (s) => s === "stopped"), "stopped");
    const p = await tsrun(["pause", id]);
    assertEquals([p.code, p.stderr], [1, "tsrun: container not running\n"]);
    const r = await tsrun(["resume", id]);
    assertEquals(r.code, 1);
    // runc says "container not paused"; see the note on pause above.
    match(
      r.stderr,
      /^tsrun: (container not paused|cannot resume container ops-pstop: it is stopped)\n$/,
    );
    for (const cmd of ["pause", "resume"]) {
      const u = await tsrun([cmd, "ops-nope"]);
      assertEquals([u.code, u.stderr], [1, "tsrun: container does not exist: ops-nope\n"], cmd);
    }
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});
