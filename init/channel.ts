// Newline-delimited JSON over the init socket (a blocking fd). Shared by the parent (runtime/)
// and init/, so it depends on nothing but syscalls/.
import { check, errno, libc } from "../syscalls/libc.ts";
import { recvWithFds, sendFds } from "../syscalls/fdpass.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { EINTR } from "../syscalls/errno.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

export class Channel {
  #buf = new Uint8Array(0);
  /** Fds that arrived with messages (SCM_RIGHTS), in order. */
  readonly fds: number[] = [];
  constructor(readonly fd: number) {}

  send(msg: unknown): void {
    this.sendRaw(enc.encode(JSON.stringify(msg) + "\n"));
  }

  /** A message with an fd attached; the peer finds it in `fds` once it received the message. */
  sendWithFd(msg: unknown, fd: number): void {
    sendFds(this.fd, enc.encode(JSON.stringify(msg) + "\n"), [fd]);
  }

  sendRaw(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      const n = Number(libc().write(this.fd, data.subarray(off), BigInt(data.length - off)));
      if (n < 0) {
        const err = new SyscallError("write", errno(), "init channel");
        if (err.errno === EINTR) continue;
        throw err;
      }
      off += n;
    }
  }

  /** Blocks for the next message; undefined when the peer closed the channel. */
  receive<T>(): T | undefined {
    for (;;) {
      const nl = this.#buf.indexOf(10);
      if (nl >= 0) {
        const line = dec.decode(this.#buf.subarray(0, nl));
        this.#buf = this.#buf.slice(nl + 1);
        return JSON.parse(line) as T;
      }
      const chunk = new Uint8Array(65536);
      const { n, fds } = recvWithFds(this.fd, chunk);
      this.fds.push(...fds);
      if (n === 0) return undefined;
      const merged = new Uint8Array(this.#buf.length + n);
      merged.set(this.#buf);
      merged.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = merged;
    }
  }

  close(): void {
    check("close", libc().close(this.fd));
  }
}
