// exitSoon for real: its caller sees the exit code and the end of the output as with Deno.exit,
// and the helper that held the memory exits by itself once the process is gone. A subreaper
// between the test and the exiting process gets the orphaned helper and reaps it.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { emulated } from "./helpers/skip.ts";

const at = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname);

const EXITING = `
import { exitSoon } from ${at("../syscalls/spawn/exit.ts")};
import { libc } from ${at("../syscalls/libc.ts")};
if (Deno.args[0] === "bound") libc().getpid();
console.log("output before the exit");
exitSoon(3);
`;

// Prints what the exiting process's caller saw and which other children it reaped, and how.
const SUBREAPER = `
import { libc } from ${at("../syscalls/libc.ts")};
const [exiting, mode] = Deno.args;
libc().prctl(36 /* PR_SET_CHILD_SUBREAPER */, 1n, 0n, 0n, 0n);
const run = ["run", "-A", "--cached-only", "--no-lock", "--config", ${at("../deno.json")}];
const out = await new Deno.Command(Deno.execPath(), { args: [...run, exiting, mode] }).output();
const reaped = [];
const status = new Int32Array(1);
for (const end = Date.now() + 5000; Date.now() < end;) {
  const pid = libc().waitpid(-1, new Uint8Array(status.buffer), 1 /* WNOHANG */);
  if (pid < 0) break; // ECHILD: no child left
  if (pid > 0) reaped.push(status[0]);
  else await new Promise((r) => setTimeout(r, 5));
}
console.log(JSON.stringify({
  code: out.code,
  stdout: new TextDecoder().decode(out.stdout),
  reaped,
}));
`;

async function exitSeen(mode: "bound" | "unbound") {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-exit-" });
  try {
    await Deno.writeTextFile(`${dir}/exiting.ts`, EXITING);
    await Deno.writeTextFile(`${dir}/subreaper.ts`, SUBREAPER);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--cached-only",
        "--no-lock",
        "--config",
        JSON.parse(at("../deno.json")),
        `${dir}/subreaper.ts`,
        `${dir}/exiting.ts`,
        mode,
      ],
      stderr: "inherit",
    }).output();
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("exitSoon: a process that uses libc hands its memory to a helper that exits after it", async () => {
  // Under qemu-user clone3 is refused: no helper, a plain exit.
  const helpers = emulated() ? [] : [0];
  assertEquals(await exitSeen("bound"), {
    code: 3,
    stdout: "output before the exit\n",
    reaped: helpers,
  });
});

Deno.test("exitSoon: a process that never bound libc exits plainly, starting no helper", async () => {
  assertEquals(await exitSeen("unbound"), {
    code: 3,
    stdout: "output before the exit\n",
    reaped: [],
  });
});
