// create → start → state/list → kill → delete, and every refusal on the way, as runc does.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import {
  assertNothingLeft,
  type Bundle,
  type Config,
  containerStatus as status,
  makeBundle,
  readOr,
  requireRoot,
  stateRoot,
  tsrun,
  until,
} from "../helpers/mod.ts";

const ignore = requireRoot("container lifecycle");
const writable = (c: Config) => (c.root.readonly = false);
const quiet = ["sh", "-c", "exec sleep 60 >/dev/null 2>&1"];

/** A file the container writes, once it has `want` (start returns before it runs). */
const eventually = (path: string, want: string) => until(() => readOr(path), (s) => s === want);

Deno.test(
  { name: "create waits for start; state, list, kill and delete follow", ignore },
  async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "echo started > /tmp/mark; exec sleep 60 >/dev/null 2>&1"],
      config: writable,
    });
    const id = "cs-cycle";
    try {
      const created = await tsrun(["create", "--bundle", b.dir, "--pid-file", `${b.dir}/pid`, id]);
      assertEquals([created.code, created.stdout, created.stderr], [0, "", ""]);
      const pid = Number(Deno.readTextFileSync(`${b.dir}/pid`));
      const st = JSON.parse((await tsrun(["state", id])).stdout);
      assertEquals([st.id, st.status, st.pid, st.bundle], [id, "created", pid, b.dir]);
      match(st.created, /^\d{4}-\d\d-\d\dT/);
      // The user process has not run yet.
      ok(!Deno.readTextFileSync(`/proc/${pid}/cmdline`).startsWith("sleep"));

      const list = await tsrun(["list", "--format", "json"]);
      assertEquals(JSON.parse(list.stdout).map((s: { id: string }) => s.id), [id]);
      assertEquals((await tsrun(["list", "-q"])).stdout, `${id}\n`);
      match((await tsrun(["list"])).stdout, /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER\n/);

      assertEquals((await tsrun(["start", id])).code, 0);
      assertEquals(await status(id), "running");
      assertEquals(await eventually(`${b.rootfs}/tmp/mark`, "started\n"), "started\n");
      const again = await tsrun(["start", id]);
      assertEquals(again.code, 1);
      match(again.stderr, /already running/);

      const refused = await tsrun(["delete", id]);
      assertEquals(refused.code, 1);
      match(refused.stderr, /not stopped/);
      assertEquals(await status(id), "running", "a refused delete changes nothing");

      assertEquals((await tsrun(["kill", id, "KILL"])).code, 0);
      assertEquals(await until(() => status(id), (s) => s === "stopped"), "stopped");
      const dead = await tsrun(["kill", id, "TERM"]);
      assertEquals(dead.code, 1);
      match(dead.stderr, /container not running/);

      assertEquals((await tsrun(["delete", id])).code, 0);
      match(await status(id), /does not exist/);
      assertNothingLeft({ path: b.dir, marker: id });
    } finally {
      await tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({ name: "kill takes names with and without SIG, and numbers", ignore }, async () => {
  const b = await makeBundle({
    args: [
      "sh",
      "-c",
      "trap 'echo usr1 >> /tmp/sig' USR1; trap 'echo hup >> /tmp/sig' HUP; while true; do sleep 0.05; done >/dev/null 2>&1",
    ],
    config: writable,
  });
  const id = "cs-kill";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    await new Promise((r) => setTimeout(r, 200));
    // One at a time: two signals pending at once may be merged (USR1 twice) or handled in
    // either order.
    let want = "";
    for (const [sig, line] of [["USR1", "usr1"], ["SIGHUP", "hup"], ["10", "usr1"]]) {
      assertEquals((await tsrun(["kill", id, sig])).code, 0, sig);
      want += `${line}\n`;
      assertEquals(await eventually(`${b.rootfs}/tmp/sig`, want), want, sig);
    }
    const bad = await tsrun(["kill", id, "SIGNOPE"]);
    assertEquals(bad.code, 1);
    match(bad.stderr, /invalid signal/);
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

Deno.test({
  name: "ids: in use, unknown, invalid; delete --force of an unknown id succeeds",
  ignore,
}, async () => {
  const b = await makeBundle({ args: quiet });
  const id = "cs-ids";
  try {
    assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
    const dup = await tsrun(["create", "-b", b.dir, id]);
    assertEquals(dup.code, 1);
    match(dup.stderr, /container with id exists: cs-ids/);
    assertEquals(await status(id), "created", "the first container is untouched");
    for (const cmd of [["state"], ["start"], ["kill"], ["delete"]]) {
      const r = await tsrun([...cmd, "cs-nope"]);
      assertEquals(r.code, 1, cmd[0]);
      assertEquals(r.stderr, "tsrun: container does not exist: cs-nope\n", cmd[0]);
    }
    assertEquals((await tsrun(["delete", "--force", "cs-nope"])).code, 0);
    const invalid = await tsrun(["create", "-b", b.dir, "../escape"]);
    assertEquals(invalid.code, 1);
    match(invalid.stderr, /invalid container id/);
    // delete --force of a created container kills its waiting init.
    const pid = JSON.parse((await tsrun(["state", id])).stdout).pid;
    assertEquals((await tsrun(["delete", "--force", id])).code, 0);
    ok(
      !Deno.statSync(`/proc/${pid}`).isDirectory ||
        Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z"),
    );
  } catch (e) {
    throw e;
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

/**
 * Creates `id` and starts it on an exec fifo of the same name that its init never opens (it
 * waits on the one it was given), so a writer is whatever the test makes; start has waited 300
 * ms when this returns.
 */
async function startOnForeignFifo(b: Bundle, id: string) {
  assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
  const pid: number = JSON.parse((await tsrun(["state", id])).stdout).pid;
  const fifo = `${stateRoot()}/${id}/exec.fifo`;
  Deno.removeSync(fifo);
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  let done = false;
  const start = tsrun(["start", id]).finally(() => done = true);
  await new Promise((r) => setTimeout(r, 300));
  assertEquals(done, false, "start waits for a writer");
  return { pid, fifo, start, done: () => done };
}

Deno.test({
  name: "start fails, and returns, when the init dies while it waits for the exec fifo",
  ignore,
}, async () => {
  const b = await makeBundle({ args: quiet });
  const id = "cs-dies";
  try {
    const { pid, start } = await startOnForeignFifo(b, id);
    Deno.kill(pid, "SIGKILL");
    const r = await start;
    assertEquals([r.code, r.stderr], [1, `tsrun: container ${id}: init exited before start\n`]);
    assertEquals((await tsrun(["delete", id])).code, 0);
    assertNothingLeft({ path: b.dir, marker: id });
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

Deno.test({
  name: "start waits for an init that has not opened the exec fifo yet",
  ignore,
}, async () => {
  const b = await makeBundle({ args: quiet });
  const id = "cs-late";
  try {
    const { fifo, start, done } = await startOnForeignFifo(b, id);
    const late = await Deno.open(fifo, { write: true });
    await late.write(new TextEncoder().encode("0"));
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(done(), false, "start waits for the init to close the fifo");
    late.close();
    const r = await start;
    assertEquals([r.code, r.stderr], [0, ""]);
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

Deno.test({ name: "ids are reusable after delete", ignore }, async () => {
  const b = await makeBundle({ args: ["true"] });
  try {
    for (let i = 0; i < 2; i++) {
      assertEquals((await tsrun(["run", "-b", b.dir, "cs-reuse"])).code, 0);
    }
  } finally {
    await b.cleanup();
  }
});
