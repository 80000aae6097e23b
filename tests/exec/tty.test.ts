// exec with a terminal: a pty from the container's devpts, its master sent to --console-socket
// (as conmon and the containerd shim receive it) or relayed to tsrun's own stdio.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { requireRoot } from "../helpers/mod.ts";
import { listenConsoleSocket } from "../helpers/console-socket.ts";
import { readAsync } from "../../syscalls/libc.ts";
import { exec, runningContainer } from "./util.ts";

const ignore = requireRoot("exec");

async function readUntilEof(fd: number): Promise<string> {
  let out = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await readAsync(fd, buf);
    if (n <= 0) return out.replaceAll("\r", "");
    out += new TextDecoder().decode(buf.subarray(0, n));
  }
}

Deno.test(
  { name: "--console-socket gets the master of a pty in the container", ignore },
  async () => {
    const c = await runningContainer("exec-tty");
    try {
      const file = `${c.dir}/process.json`;
      Deno.writeTextFileSync(
        file,
        JSON.stringify({
          terminal: true,
          consoleSize: { height: 33, width: 101 },
          args: ["sh", "-c", "tty; stty size; stat -c %u $(tty); echo done"],
          env: ["PATH=/bin"],
          cwd: "/",
          user: { uid: 1000, gid: 1000 },
        }),
      );
      const sock = listenConsoleSocket(`${c.dir}/console.sock`);
      try {
        // podman's call: --tty as well as process.terminal.
        const r = await exec(c.id, [], [
          "--process",
          file,
          "--detach",
          "--tty",
          "--console-socket",
          sock.path,
        ]);
        assertEquals([r.code, r.stdout, r.stderr], [0, "", ""]);
        const { master, name } = await sock.received;
        match(name, /^\/dev\/pts\/\d+$/);
        assertEquals(await readUntilEof(master), `${name}\n33 101\n1000\ndone\n`);
      } finally {
        sock.close();
      }
    } finally {
      await c.remove();
    }
  },
);

Deno.test({ name: "-t without a console socket relays tsrun's stdio", ignore }, async () => {
  const c = await runningContainer("exec-relay");
  try {
    const r = await exec(c.id, ["sh", "-c", "read l; echo got:$l; tty"], ["-t"], "hello\n");
    assertEquals(r.code, 0, r.stderr);
    match(r.stdout.replaceAll("\r", ""), /got:hello\n\/dev\/pts\/\d+\n$/);
  } finally {
    await c.remove();
  }
});

Deno.test(
  { name: "a detached terminal needs a socket; a socket needs a terminal", ignore },
  async () => {
    const c = await runningContainer("exec-tty-refusals");
    try {
      const detached = await exec(c.id, ["true"], ["-t", "-d"]);
      assertEquals([detached.code, detached.stderr], [
        255,
        "tsrun: exec failed: a detached process with a terminal needs --console-socket\n",
      ]);
      const noTty = await exec(c.id, ["true"], ["--console-socket", `${c.dir}/none.sock`]);
      assertEquals([noTty.code, noTty.stderr], [
        255,
        "tsrun: exec failed: --console-socket needs a terminal (--tty or process.terminal)\n",
      ]);
      const noSocket = await exec(c.id, ["true"], ["-t", "--console-socket", `${c.dir}/none.sock`]);
      assertEquals(noSocket.code, 255);
      match(noSocket.stderr, /--console-socket .*none.sock: connect/);
    } finally {
      await c.remove();
    }
  },
);
