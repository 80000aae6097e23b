// Raw syscalls whose arguments include strings or buffers. A pointer taken from a buffer does
// not keep the buffer alive: the buffers are held here until the call has returned.
import { cstr, sys } from "../syscalls/libc.ts";
import { ptr } from "../syscalls/mount.ts";
import { type SyscallName, syscallNr } from "../syscalls/nr.ts";

export type SysArg = number | bigint | string | Uint8Array<ArrayBuffer>;

/** sys() by name; strings go as NUL-terminated copies, typed arrays by address. */
export function sysArgs(name: SyscallName, args: readonly SysArg[], subject?: string): bigint {
  const keep: Uint8Array<ArrayBuffer>[] = [];
  const raw = args.map((a) => {
    if (typeof a === "number" || typeof a === "bigint") return a;
    const buf = typeof a === "string" ? cstr(a) : a;
    keep.push(buf);
    return ptr(buf);
  });
  try {
    return sys(name, syscallNr(name), raw, subject);
  } finally {
    keep.length = 0; // a use after the call: the buffers stay reachable until here
  }
}

/** The bytes of a typed array's buffer, for passing a struct by address. */
export function bytes(view: { buffer: ArrayBuffer }): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view.buffer);
}
