// The containerd shim runs `create --console-socket` with stdout and stderr on one pipe that it
// reads to EOF before it goes on (go-runc's combined output). The init waiting for `start` must
// not hold that pipe: it gets /dev/null until the pty becomes its stdio.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { makeBundle, requireRoot, stateRoot, TSRUN, tsrun } from "../helpers/mod.ts";
import { listenConsoleSocket } from "../helpers/console-socket.ts";
import { readAsync } from "../../syscalls/libc.ts";

async function readUntilEof(fd: number): Promise<string> {
  let out = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await readAsync(fd, buf);
    if (n <= 0) return out;
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
}

Deno.test({
  name: "create --console-socket: the caller's stdout/stderr reach EOF when create exits",
  ignore: requireRoot("terminal containers"),
}, async () => {
  const b = await makeBundle({
    args: ["sh", "-c", "tty; echo done"],
    config: (c) => (c.process.terminal = true),
  });
  const sock = listenConsoleSocket(`${b.dir}/console.sock`);
  const id = "console-stdio";
  try {
    const child = new Deno.Command(TSRUN, {
      args: [
        ...["--root", stateRoot(), "create", "--bundle", b.dir, "--pid-file", `${b.dir}/pid`],
        ...["--console-socket", sock.path, id],
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Both streams read at once, as one pipe: EOF on each means no process holds them.
    const output = Promise.all([child.stdout, child.stderr].map((s) => new Response(s).text()));
    assertEquals((await child.status).code, 0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const eof = await Promise.race([
      output.then(() => true),
      new Promise<boolean>((r) => timer = setTimeout(() => r(false), 5_000)),
    ]);
    clearTimeout(timer);
    const pid = Number(Deno.readTextFileSync(`${b.dir}/pid`));
    for (const fd of [0, 1, 2]) {
      assertEquals(Deno.readLinkSync(`/proc/${pid}/fd/${fd}`), "/dev/null", `init fd ${fd}`);
    }
    ok(eof, "create exited, but its stdout/stderr stayed open in the waiting init");
    assertEquals(await output, ["", ""]);
    const { master, name } = await sock.received;
    assertEquals((await tsrun(["start", id])).code, 0);
    assertEquals((await readUntilEof(master)).replaceAll("\r", ""), `${name}\ndone\n`);
  } finally {
    sock.close();
    await tsrun(["delete", "--force", id]);
    await b.cleanup();
  }
});
