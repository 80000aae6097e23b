// File descriptors over unix sockets (SCM_RIGHTS), for console sockets and the init channel.
// struct layouts are the LP64 ones (x86-64 and aarch64).
import { check, cstr, errno, libc } from "./libc.ts";
import { ptr } from "./mount.ts";
import { SyscallError } from "./errors.ts";
import { ECONNRESET, EINTR } from "./errno.ts";

const AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;
const MAX_FDS = 8;

/** A connected AF_UNIX stream socket (O_CLOEXEC). */
export function connectUnix(path: string): number {
  const fd = check("socket", libc().socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), path);
  const addr = new Uint8Array(110);
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  const name = cstr(path);
  if (name.length > 108) throw new SyscallError("connect", 36, path);
  addr.set(name, 2);
  if (libc().connect(fd, addr, 2 + name.length) < 0) {
    const e = errno();
    libc().close(fd);
    throw new SyscallError("connect", e, path);
  }
  return fd;
}

function msghdr(iov: Uint8Array, control: Uint8Array | null): Uint8Array<ArrayBuffer> {
  const m = new Uint8Array(56);
  const v = new DataView(m.buffer);
  v.setBigUint64(16, ptr(iov as Uint8Array<ArrayBuffer>), true);
  v.setBigUint64(24, 1n, true);
  if (control) {
    v.setBigUint64(32, ptr(control as Uint8Array<ArrayBuffer>), true);
    v.setBigUint64(40, BigInt(control.length), true);
  }
  return m;
}

function iovec(data: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const iov = new Uint8Array(16);
  const v = new DataView(iov.buffer);
  v.setBigUint64(0, ptr(data), true);
  v.setBigUint64(8, BigInt(data.length), true);
  return iov;
}

/** One sendmsg carrying `data` (at least one byte) and `fds` as SCM_RIGHTS. */
export function sendFds(sock: number, data: Uint8Array<ArrayBuffer>, fds: readonly number[]): void {
  const control = new Uint8Array(16 + Math.ceil((4 * fds.length) / 8) * 8);
  const v = new DataView(control.buffer);
  v.setBigUint64(0, BigInt(16 + 4 * fds.length), true);
  v.setInt32(8, SOL_SOCKET, true);
  v.setInt32(12, SCM_RIGHTS, true);
  fds.forEach((fd, i) => v.setInt32(16 + 4 * i, fd, true));
  const iov = iovec(data);
  for (;;) {
    const n = Number(libc().sendmsg(sock, msghdr(iov, control), 0));
    if (n >= 0) return;
    if (errno() !== EINTR) throw new SyscallError("sendmsg", errno(), "fd passing");
  }
}

/**
 * One recvmsg into `buf`; fds that came along are returned (O_CLOEXEC). n = 0 at EOF, and when
 * the peer died with data of ours unread (ECONNRESET): either way it is gone.
 */
export function recvWithFds(
  sock: number,
  buf: Uint8Array<ArrayBuffer>,
): { n: number; fds: number[] } {
  const control = new Uint8Array(16 + 4 * MAX_FDS);
  const iov = iovec(buf);
  for (;;) {
    const hdr = msghdr(iov, control);
    const n = Number(libc().recvmsg(sock, hdr, MSG_CMSG_CLOEXEC));
    if (n < 0) {
      const e = errno();
      if (e === EINTR) continue;
      if (e === ECONNRESET) return { n: 0, fds: [] };
      throw new SyscallError("recvmsg", e, "fd passing");
    }
    const fds: number[] = [];
    const controllen = Number(new DataView(hdr.buffer).getBigUint64(40, true));
    const v = new DataView(control.buffer);
    if (
      controllen >= 16 && v.getInt32(8, true) === SOL_SOCKET && v.getInt32(12, true) === SCM_RIGHTS
    ) {
      const count = (Number(v.getBigUint64(0, true)) - 16) / 4;
      for (let i = 0; i < count; i++) fds.push(v.getInt32(16 + 4 * i, true));
    }
    return { n, fds };
  }
}
