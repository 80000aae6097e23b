// A seccomp agent, as a runtime-spec consumer of linux.seccomp.listenerPath would be: it accepts
// one connection, receives the ContainerProcessState JSON with the listener fd (SCM_RIGHTS),
// then answers notifications with SECCOMP_IOCTL_NOTIF_RECV / SECCOMP_IOCTL_NOTIF_SEND.
import { recvWithFds } from "../../syscalls/fdpass.ts";
import { cstr, sys } from "../../syscalls/libc.ts";
import { ptr } from "../../syscalls/mount.ts";
import { syscallNr } from "../../syscalls/nr.ts";

const lib = Deno.dlopen("libc.so.6", {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  accept: { parameters: ["i32", "pointer", "pointer"], result: "i32", nonblocking: true },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
}).symbols;

const SECCOMP_GET_NOTIF_SIZES = 3;
/** _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp). */
const NOTIF_RECV = 0xc0502100n, NOTIF_SEND = 0xc0182101n;
const UAPI_NOTIF = 80, UAPI_RESP = 24;

export interface Received {
  state: Record<string, unknown>;
  fd: number;
}

export interface Agent {
  /** Accepts the next connection and receives what comes over it. */
  next(): Promise<Received>;
  close(): void;
}

export function listenAgent(path: string): Agent {
  const fd = lib.socket(1, 1, 0);
  const addr = new Uint8Array(110);
  new DataView(addr.buffer).setUint16(0, 1, true);
  addr.set(cstr(path), 2);
  if (fd < 0 || lib.bind(fd, addr, 110) < 0 || lib.listen(fd, 1) < 0) {
    throw new Error(`seccomp agent ${path}: cannot listen`);
  }
  const next = async (): Promise<Received> => {
    const conn = await lib.accept(fd, null, null);
    if (conn < 0) throw new Error("seccomp agent: accept failed");
    // create connects before the init exists; the message may come only at start.
    await readable(conn, 20_000, "container process state");
    const buf = new Uint8Array(65536);
    const { n, fds } = recvWithFds(conn, buf);
    lib.close(conn);
    if (fds.length !== 1) throw new Error(`seccomp agent: got ${fds.length} fds`);
    return { state: JSON.parse(new TextDecoder().decode(buf.subarray(0, n))), fd: fds[0] };
  };
  return {
    next,
    // shutdown wakes a pending accept when tsrun never connected.
    close: () => (lib.shutdown(fd, 2), lib.close(fd)),
  };
}

/** Waits on a pool thread, so the test's event loop runs meanwhile. */
async function readable(fd: number, timeoutMs: number, what: string): Promise<void> {
  const POLLIN = 1;
  const pfd = new Uint8Array(8);
  const pv = new DataView(pfd.buffer);
  pv.setInt32(0, fd, true);
  pv.setInt16(4, POLLIN, true);
  if (await lib.poll(pfd, 1n, timeoutMs) !== 1) {
    throw new Error(`seccomp agent: no ${what} within ${timeoutMs} ms`);
  }
}

/** The kernel's struct sizes (they may have grown past the UAPI ones this file knows). */
function notifSizes(): { notif: number; resp: number } {
  const sizes = new Uint8Array(6);
  sys("seccomp", syscallNr("seccomp"), [SECCOMP_GET_NOTIF_SIZES, 0, ptr(sizes)]);
  const v = new DataView(sizes.buffer);
  return {
    notif: Math.max(v.getUint16(0, true), UAPI_NOTIF),
    resp: Math.max(v.getUint16(2, true), UAPI_RESP),
  };
}

/**
 * Waits up to `timeoutMs` for one notification on `listener` and fails that syscall with
 * `errno`. Returns the syscall number and the (host) pid that made it.
 */
export async function answerOne(
  listener: number,
  errno: number,
  timeoutMs: number,
): Promise<{ nr: number; pid: number }> {
  await readable(listener, timeoutMs, "notification");
  const { notif, resp } = notifSizes();
  const req = new Uint8Array(notif);
  if (lib.ioctl(listener, NOTIF_RECV, req) < 0) throw new Error("SECCOMP_IOCTL_NOTIF_RECV failed");
  const rv = new DataView(req.buffer);
  const id = rv.getBigUint64(0, true);
  const out = new Uint8Array(resp);
  const ov = new DataView(out.buffer);
  ov.setBigUint64(0, id, true);
  ov.setInt32(16, -errno, true);
  if (lib.ioctl(listener, NOTIF_SEND, out) < 0) throw new Error("SECCOMP_IOCTL_NOTIF_SEND failed");
  return { nr: rv.getInt32(16, true), pid: rv.getUint32(8, true) };
}

export function closeFd(fd: number): void {
  lib.close(fd);
}
