// A blocking D-Bus connection over a unix socket: EXTERNAL authentication (the kernel vouches for
// our uid), method calls that wait for their reply, and signals kept until asked for. Blocking
// suits the CLI: each command makes a few calls in a row and has nothing else to do meanwhile.
import { connectUnix } from "../../syscalls/fdpass.ts";
import { errno, libc } from "../../syscalls/libc.ts";
import { pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { EINTR } from "../../syscalls/errno.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import {
  decodeMessage,
  encodeMessage,
  ERROR,
  type Message,
  messageLength,
  METHOD_CALL,
  METHOD_RETURN,
  SIGNAL,
  type Value,
} from "./wire.ts";

/** A failure reported by the peer (`name` is the D-Bus error name) or of the connection. */
export class DbusError extends Error {
  constructor(message: string, readonly errorName = "") {
    super(message);
  }
}

export interface Call {
  destination?: string;
  path: string;
  interface: string;
  member: string;
  signature?: string;
  body?: Value[];
}

/** How long one call may take; systemd answers in milliseconds unless it is stuck. */
const CALL_TIMEOUT_MS = 25_000;

export class Connection {
  #serial = 0;
  #pending = new Uint8Array(0);
  #signals: Message[] = [];

  private constructor(readonly fd: number, readonly address: string) {}

  /** Connects to the socket at `path` and authenticates; `bus` says Hello to a message bus. */
  static open(path: string, bus: boolean): Connection {
    let fd: number;
    try {
      fd = connectUnix(path);
    } catch (e) {
      throw new DbusError((e as Error).message); // it names the path
    }
    const c = new Connection(fd, path);
    try {
      c.#auth();
      if (bus) {
        c.call({
          destination: "org.freedesktop.DBus",
          path: "/org/freedesktop/DBus",
          interface: "org.freedesktop.DBus",
          member: "Hello",
        });
      }
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  close(): void {
    closeFd(this.fd);
  }

  /**
   * BEGIN goes with AUTH, before the server's OK (as sd-bus clients do): sent after the OK, the
   * server (systemd 252) could read it in one go with the first message and then leave that
   * message unanswered, waiting for more bytes.
   */
  #auth(): void {
    const uid = new TextEncoder().encode(String(Deno.uid()));
    const hex = [...uid].map((b) => b.toString(16).padStart(2, "0")).join("");
    this.#write(new TextEncoder().encode(`\0AUTH EXTERNAL ${hex}\r\nBEGIN\r\n`));
    const line = this.#readLine();
    if (!line.startsWith("OK ")) {
      throw new DbusError(`${this.address} refused authentication: ${line.trim()}`);
    }
  }

  #write(data: Uint8Array<ArrayBuffer>): void {
    for (let off = 0; off < data.length;) {
      const n = Number(libc().write(this.fd, data.subarray(off), BigInt(data.length - off)));
      if (n < 0) {
        if (errno() === EINTR) continue;
        throw new DbusError(`write to ${this.address}: ${new SyscallError("write", errno())}`);
      }
      off += n;
    }
  }

  /** Reads more bytes into #pending; false on timeout. */
  #fill(deadline: number): boolean {
    const wait = deadline - Date.now();
    if (wait <= 0 || pollIn([this.fd], wait).length === 0) return false;
    const buf = new Uint8Array(64 * 1024);
    const n = Number(libc().read(this.fd, buf, BigInt(buf.length)));
    if (n < 0 && errno() === EINTR) return true;
    if (n < 0) {
      throw new DbusError(`read from ${this.address}: ${new SyscallError("read", errno())}`);
    }
    if (n === 0) throw new DbusError(`${this.address} closed the connection`);
    const joined = new Uint8Array(this.#pending.length + n);
    joined.set(this.#pending);
    joined.set(buf.subarray(0, n), this.#pending.length);
    this.#pending = joined;
    return true;
  }

  #readLine(): string {
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (;;) {
      const end = this.#pending.indexOf(0x0a);
      if (end >= 0) {
        const line = new TextDecoder().decode(this.#pending.subarray(0, end + 1));
        this.#pending = this.#pending.slice(end + 1);
        return line;
      }
      if (!this.#fill(deadline)) throw new DbusError(`${this.address} did not answer`);
    }
  }

  /** The next message, or undefined when none came before `deadline`. */
  #next(deadline: number): Message | undefined {
    for (;;) {
      if (this.#pending.length >= 16) {
        const length = messageLength(this.#pending);
        if (this.#pending.length >= length) {
          const m = decodeMessage(this.#pending.subarray(0, length));
          this.#pending = this.#pending.slice(length);
          return m;
        }
      }
      if (!this.#fill(deadline)) return undefined;
    }
  }

  /** Sends a method call and returns its reply's body; an error reply throws a DbusError. */
  call(c: Call): Value[] {
    return this.reply(this.send(c), c.member);
  }

  /** Sends a method call without waiting: its serial, for reply(). */
  send(c: Call): number {
    const serial = ++this.#serial;
    this.#write(encodeMessage({ ...c, type: METHOD_CALL, serial }));
    return serial;
  }

  /** The body of the reply to the call `serial` (`member` names it in errors). */
  reply(serial: number, member: string): Value[] {
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    for (;;) {
      const m = this.#next(deadline);
      if (!m) throw new DbusError(`${member}: no reply from ${this.address}`);
      if (m.type === SIGNAL) this.#signals.push(m);
      if (m.replySerial !== serial) continue;
      if (m.type === METHOD_RETURN) return m.body ?? [];
      if (m.type === ERROR) {
        const text = typeof m.body?.[0] === "string" ? m.body[0] : m.errorName ?? "";
        throw new DbusError(text, m.errorName);
      }
    }
  }

  /** The first signal (already received or arriving before `timeoutMs`) that `match` takes. */
  signal(match: (m: Message) => boolean, timeoutMs: number): Message | undefined {
    const seen = this.#signals.findIndex(match);
    if (seen >= 0) return this.#signals.splice(seen, 1)[0];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.#next(deadline);
      if (!m) return undefined;
      if (m.type !== SIGNAL) continue;
      if (match(m)) return m;
      this.#signals.push(m);
    }
  }
}
