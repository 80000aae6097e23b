// `start` of a process that exits at once, under a parent that reaps it at once (conmon, the
// containerd shim): the init's pid may be gone before `start` looks at it, and that is success.
// strace holds the return of start's opens of the exec fifo for 300 ms: the first has released
// the init, whose process has surely exited and been reaped by the time start goes on, and
// start must still tell it from an init that died before.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  hasCommand,
  makeBundle,
  REPO_ROOT,
  requireRoot,
  skipUnless,
  stateRoot,
  TSRUN,
} from "../helpers/mod.ts";
import { command } from "./command.ts";

const ROUNDS = 2;
const ID = "start-race";
const delayOpens = (path: string) => [
  ...["strace", "-f", "-qq", "-o", "/dev/null", "-P", path, "-e", "trace=openat"],
  ...["-e", "inject=openat:delay_exit=300000"],
];
const ignore = requireRoot("start under a reaping parent") ||
  skipUnless(hasCommand("strace"), "strace is not installed (apt-get install strace)") ||
  skipUnless(
    (await command([...delayOpens("/"), "true"])).code === 0,
    "strace cannot trace here",
  );

Deno.test({
  name: "start succeeds when the process exited and was reaped before start returned",
  ignore,
}, async () => {
  const b = await makeBundle({ args: ["sh", "-c", "exit 3"] });
  try {
    const out = await command([
      ...[`${REPO_ROOT}/scripts/deno`, "run", "-A", "--quiet"],
      ...[fileURLToPath(new URL("./reaper.ts", import.meta.url)), String(ROUNDS)],
      ...[TSRUN, stateRoot(), b.dir, ID, ...delayOpens(`${stateRoot()}/${ID}/exec.fifo`)],
    ]);
    assertEquals(out.code, 0, out.stderr);
    const rounds = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(rounds, Array(ROUNDS).fill({ start: 0, stderr: "", exit: 3 }));
  } finally {
    await b.cleanup();
  }
});
