// A foreground `run` with a terminal and no console socket: the caller's terminal is put in raw
// mode and bytes are copied both ways between it and the container's pty master.
import { libc, readAsync } from "../../syscalls/libc.ts";
import { isTty, rawMode } from "../../syscalls/tty.ts";

function writeAll(fd: number, data: Uint8Array<ArrayBuffer>): boolean {
  let off = 0;
  while (off < data.length) {
    const n = Number(libc().write(fd, data.subarray(off), BigInt(data.length - off)));
    if (n <= 0) return false;
    off += n;
  }
  return true;
}

async function pump(from: number, to: number): Promise<void> {
  const buf = new Uint8Array(32 * 1024);
  for (;;) {
    // EOF, or EIO once the container closed its last slave fd.
    const n = await readAsync(from, buf);
    if (n <= 0 || !writeAll(to, buf.slice(0, n))) return;
  }
}

/** Starts relaying; the returned function waits for the output to drain and restores the tty. */
export function relayConsole(master: number): () => Promise<void> {
  const restore = isTty(0) ? rawMode(0) : () => {};
  // stdin → master never ends by itself (a read on the caller's tty); it dies with the process.
  void pump(0, master);
  const output = pump(master, 1);
  return async () => {
    await output;
    restore();
    libc().close(master);
  };
}
