// `start` returns once only the exec of the container's process is left, `run -d` once it ran,
// so a signal sent right after them reaches that process (runtime-tools' killsig). The
// container's init is pid 1 of its namespace: a signal it has no handler for is dropped, so a
// signal that reached tsrun's init while it ran hooks would be lost. A startContainer hook (run
// by the init between `start` and the exec) widens that window to something no timing can miss.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { containerStatus, makeBundle, requireRoot, tsrun, until } from "../helpers/mod.ts";

const ignore = requireRoot("signalling containers");

function bundle() {
  return makeBundle({
    args: ["sh", "-c", "trap 'exit 0' USR1; sleep 1000 & wait $!"],
    config: (c) => (c.hooks = { startContainer: [{ path: "/bin/sleep", args: ["sleep", "0.5"] }] }),
  });
}

Deno.test({ name: "kill right after start reaches the container's process", ignore }, async () => {
  const b = await bundle();
  const id = "sig-after-start";
  try {
    assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
    const s = await tsrun(["start", id]);
    assertEquals([s.code, s.stderr], [0, ""]);
    assertEquals(await containerStatus(id), "running");
    assertEquals((await tsrun(["kill", id, "USR1"])).code, 0);
    assertEquals(await until(() => containerStatus(id), (v) => v === "stopped"), "stopped");
  } finally {
    await tsrun(["delete", "--force", id]);
    await b.cleanup();
  }
});

Deno.test({ name: "kill right after run -d reaches the container's process", ignore }, async () => {
  const b = await bundle();
  const id = "sig-after-run";
  try {
    const r = await tsrun(["run", "-d", "-b", b.dir, id]);
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals((await tsrun(["kill", id, "USR1"])).code, 0);
    assertEquals(await until(() => containerStatus(id), (v) => v === "stopped"), "stopped");
  } finally {
    await tsrun(["delete", "--force", id]);
    await b.cleanup();
  }
});
