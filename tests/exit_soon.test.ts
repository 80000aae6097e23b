// exitSoon for real: its caller sees the exit code and the end of the output as with Deno.exit,
// whether the process bound libc (exit_group) or not (Deno.exit), and nothing outlives it: a
// subreaper between the test and the exiting process would get any orphan and reap it.
import { deepStrictEqual as assertEquals } from "node:assert/strict";

const at = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname);

const EXITING = `
import { exitSoon } from ${at("../syscalls/exit.ts")};
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

for (const mode of ["bound", "unbound"] as const) {
  Deno.test(`exitSoon, libc ${mode}: the caller sees its code and output; nothing outlives it`, async () => {
    assertEquals(await exitSeen(mode), {
      code: 3,
      stdout: "output before the exit\n",
      reaped: [],
    });
  });
}
