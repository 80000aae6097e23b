// The legacy clone fallback on this machine's kernel: with clone3 refused by a seccomp filter
// (tests/helpers/no-clone3.ts), the spawn tests pass and a real container runs, and --debug
// says which clone is in use.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { command } from "./helpers/command.ts";
import { assertNothingLeft, makeBundle, REPO_ROOT, requireRoot, tsrun } from "./helpers/mod.ts";

const deno = join(REPO_ROOT, "scripts", "deno");
const noClone3 = [deno, "run", "-A", "--quiet", join(REPO_ROOT, "tests/helpers/no-clone3.ts")];

Deno.test("no-clone3.ts: clone3 answers ENOSYS under it", async () => {
  const probe = `import { sys } from "${REPO_ROOT}/syscalls/libc.ts";
    import { syscallNr } from "${REPO_ROOT}/syscalls/nr.ts";
    try { sys("clone3", syscallNr("clone3"), [0, 0]); } catch (e) { console.log(e.errnoName); }`;
  const r = await command([...noClone3, deno, "eval", probe]);
  assertEquals([r.code, r.stdout], [0, "ENOSYS\n"], r.stderr);
});

Deno.test("the spawn tests pass through the legacy clone", async () => {
  const r = await command(
    [...noClone3, deno, "test", "-A", "--no-prompt", join(REPO_ROOT, "tests/spawn.test.ts")],
    { env: { NO_COLOR: "1" } },
  );
  assertEquals(r.code, 0, r.stdout + r.stderr);
  match(r.stdout, /^clone mode: legacy clone \(fallback\)$/m);
  match(r.stdout, /^ok \| \d+ passed \| 0 failed/m);
});

Deno.test({
  name: "a container runs and execs through the legacy clone, and --debug says so",
  ignore: requireRoot("running containers"),
  async fn() {
    const b = await makeBundle({ args: ["sh", "-c", "echo pid=$$; exec sleep 60"] });
    const id = "fallback-run";
    const run = (args: string[]) => tsrun(["--debug", ...args], { prefix: noClone3 });
    try {
      const r = await run(["run", "-d", "-b", b.dir, id]);
      assertEquals(r.code, 0, r.stderr);
      ok(fallbackLine(r.stderr), r.stderr);
      // In the container's pid namespace, where pid 1 is its sleep.
      const e = await run(["exec", id, "cat", "/proc/1/comm"]);
      assertEquals([e.code, e.stdout], [0, "sleep\n"], e.stderr);
      ok(fallbackLine(e.stderr), e.stderr);
      // Without --debug, the fallback is silent.
      const quiet = await tsrun(["exec", id, "true"], { prefix: noClone3 });
      assertEquals([quiet.code, quiet.stderr], [0, ""]);
    } finally {
      await tsrun(["delete", "--force", id]);
      await b.cleanup();
    }
    assertNothingLeft({ path: b.dir, marker: id });
  },
});

function fallbackLine(stderr: string): boolean {
  return stderr.split("\n").some((l) =>
    l.includes("level=debug") && l.includes("clone3 is refused (ENOSYS): using the legacy clone")
  );
}
