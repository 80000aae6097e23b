// A console socket server, as conmon and the containerd shim provide: it accepts one
// connection and receives the pty master (one SCM_RIGHTS fd and the pty name as data).
import { recvWithFds } from "../../syscalls/fdpass.ts";
import { cstr } from "../../syscalls/libc.ts";

const lib = Deno.dlopen("libc.so.6", {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept: { parameters: ["i32", "pointer", "pointer"], result: "i32", nonblocking: true },
  close: { parameters: ["i32"], result: "i32" },
}).symbols;

export interface ConsoleSocket {
  path: string;
  /** Resolves with the received master fd and the name sent with it. */
  received: Promise<{ master: number; name: string }>;
  close(): void;
}

export function listenConsoleSocket(path: string): ConsoleSocket {
  const fd = lib.socket(1, 1, 0);
  const addr = new Uint8Array(110);
  new DataView(addr.buffer).setUint16(0, 1, true);
  addr.set(cstr(path), 2);
  if (fd < 0 || lib.bind(fd, addr, 110) < 0 || lib.listen(fd, 1) < 0) {
    throw new Error(`console socket ${path}: cannot listen`);
  }
  const received = lib.accept(fd, null, null).then((conn) => {
    const buf = new Uint8Array(4096);
    const { n, fds } = recvWithFds(conn, buf);
    lib.close(conn);
    if (fds.length !== 1) throw new Error(`console socket: got ${fds.length} fds`);
    return { master: fds[0], name: new TextDecoder().decode(buf.subarray(0, n)) };
  });
  // A test that expects tsrun to refuse never awaits it: no unhandled rejection then.
  received.catch(() => {});
  return { path, received, close: () => lib.close(fd) };
}
