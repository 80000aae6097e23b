// process.terminal: the pty comes from the container's devpts and reaches the engine through
// --console-socket, as conmon and the containerd shim receive it.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { listenConsoleSocket } from "../helpers/console-socket.ts";
import { readAsync } from "../../syscalls/libc.ts";

const ignore = requireRoot("terminal containers");

async function readUntilEof(fd: number): Promise<string> {
  let out = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await readAsync(fd, buf);
    if (n <= 0) return out;
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
}

Deno.test(
  { name: "create --console-socket sends the pty master; the process has a tty", ignore },
  async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "tty; stty size; echo done"],
      config: (c) => {
        c.process.terminal = true;
        c.process.consoleSize = { height: 33, width: 101 };
      },
    });
    const sock = listenConsoleSocket(`${b.dir}/console.sock`);
    try {
      const created = await tsrun(["create", "--console-socket", sock.path, "-b", b.dir, "con-1"]);
      assertEquals(created.code, 0, created.stderr);
      const { master, name } = await sock.received;
      match(name, /^\/dev\/pts\/\d+$/);
      assertEquals((await tsrun(["start", "con-1"])).code, 0);
      const out = (await readUntilEof(master)).replaceAll("\r", "");
      assertEquals(out, `${name}\n33 101\ndone\n`);
    } finally {
      sock.close();
      await tsrun(["delete", "-f", "con-1"]);
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "a terminal needs a console socket when detached; a socket needs a terminal",
  ignore,
}, async () => {
  const b = await makeBundle({ args: ["true"], config: (c) => (c.process.terminal = true) });
  try {
    const r = await tsrun(["create", "-b", b.dir, "con-2"]);
    assertEquals(r.code, 1);
    match(r.stderr, /console-socket/);
    assertEquals((await tsrun(["state", "con-2"])).code, 1, "nothing left behind");
    b.config.process.terminal = false;
    b.writeConfig();
    const sock = listenConsoleSocket(`${b.dir}/console.sock`);
    const s = await tsrun(["create", "--console-socket", sock.path, "-b", b.dir, "con-3"]);
    sock.close();
    assertEquals(s.code, 1);
    match(s.stderr, /--console-socket needs process.terminal/);
    assertEquals((await tsrun(["state", "con-3"])).code, 1, "nothing left behind");
    const missing = await tsrun([
      "run",
      "--console-socket",
      `${b.dir}/none.sock`,
      "-b",
      b.dir,
      "con-5",
    ]);
    assertEquals(missing.code, 1);
    match(missing.stderr, /--console-socket .*none.sock: connect/);
  } finally {
    await b.cleanup();
  }
});

Deno.test(
  { name: "run with a terminal and no socket relays the caller's stdio", ignore },
  async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "read line; echo got:$line; tty"],
      config: (c) => (c.process.terminal = true),
    });
    try {
      const r = await tsrun(["run", "-b", b.dir, "con-4"], { stdin: "hello\n" });
      assertEquals(r.code, 0, r.stderr);
      match(r.stdout.replaceAll("\r", ""), /got:hello\n\/dev\/pts\/\d+\n/);
    } finally {
      await b.cleanup();
    }
  },
);
