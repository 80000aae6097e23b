// What the runtime-spec allows runs, even where runc refuses it: a capability that cannot be
// granted is left out of an exec'd process too, and env entries need not be KEY=VALUE.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { requireRoot } from "../helpers/mod.ts";
import { exec, runningContainer } from "../exec/util.ts";
import { runScript, uniqueId } from "./util.ts";

const ignore = requireRoot("running containers");

Deno.test(
  { name: "exec --process: effective but not permitted is no failure", ignore },
  async () => {
    const id = uniqueId("spec-allows-exec");
    const c = await runningContainer(id);
    try {
      const file = `${c.dir}/process.json`;
      Deno.writeTextFileSync(
        file,
        JSON.stringify({
          args: ["grep", "-E", "Cap(Eff|Prm)", "/proc/self/status"],
          cwd: "/",
          user: { uid: 0, gid: 0 },
          capabilities: {
            bounding: ["CAP_KILL", "CAP_CHOWN"],
            effective: ["CAP_KILL", "CAP_CHOWN"],
            permitted: ["CAP_CHOWN"],
          },
        }),
      );
      const r = await exec(id, [], ["--process", file]);
      // As root, execve itself then fills the sets from the bounding set, so only the success
      // is to be seen here (capset refused before); config/process.test.ts sees the init's sets.
      assertEquals(r.code, 0, r.stderr);
      match(r.stdout, /^CapPrm:\t[0-9a-f]{16}\nCapEff:\t[0-9a-f]{16}\n$/);
    } finally {
      await c.remove();
    }
  },
);

Deno.test({ name: "env entries that are not KEY=VALUE reach the process", ignore }, async () => {
  // busybox env itself, not through sh, which drops such entries for its children.
  const r = await runScript("", (c) => {
    c.process!.args = ["env"];
    c.process!.env = ["PATH=/bin", "NOVALUE", "=x"];
  });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.split("\n").filter((l) => !l.startsWith("HOME=")), [
    "PATH=/bin",
    "NOVALUE",
    "=x",
    "",
  ]);
});
