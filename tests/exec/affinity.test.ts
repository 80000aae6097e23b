// process.execCPUAffinity: the exec'd process runs on "initial" until it joins the container's
// cgroup, then on "final" (or, without one, on every CPU again).
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { requireRoot, skipUnless } from "../helpers/mod.ts";
import { exec, runningContainer } from "./util.ts";

const ignore = requireRoot("exec") ||
  skipUnless(navigator.hardwareConcurrency >= 2, "execCPUAffinity needs at least 2 CPUs");

async function cpusOfExec(id: string, dir: string, affinity: unknown): Promise<string> {
  const file = `${dir}/process.json`;
  Deno.writeTextFileSync(
    file,
    JSON.stringify({
      args: ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"],
      cwd: "/",
      user: { uid: 0, gid: 0 },
      execCPUAffinity: affinity,
    }),
  );
  const r = await exec(id, [], ["--process", file]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim().split(/\s+/)[1];
}

Deno.test({ name: "exec applies execCPUAffinity initial and final", ignore }, async () => {
  const c = await runningContainer("exec-affinity");
  try {
    const all = `0-${navigator.hardwareConcurrency - 1}`;
    assertEquals(await cpusOfExec(c.id, c.dir, undefined), all);
    assertEquals(await cpusOfExec(c.id, c.dir, { initial: "0", final: "1" }), "1");
    assertEquals(await cpusOfExec(c.id, c.dir, { final: "0" }), "0");
    // initial alone: back to every CPU once in the cgroup.
    assertEquals(await cpusOfExec(c.id, c.dir, { initial: "1" }), all);
  } finally {
    await c.remove();
  }
});
