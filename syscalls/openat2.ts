// openat2(2) with RESOLVE_IN_ROOT: the kernel resolves a path as if `rootFd` were "/", so
// neither "..", absolute symlinks nor /proc magic links lead out of it, and nothing can swap a
// component under us between a check and the open.
import { sys } from "./libc.ts";
import { ptr } from "./mount.ts";
import { syscallNr } from "./nr.ts";

export const RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

/** The new fd; `flags` are open(2) flags (add O_CLOEXEC yourself). */
export function openInRoot(rootFd: number, path: string, flags: number, what: string): number {
  const how = new BigUint64Array([
    BigInt(flags),
    0n,
    BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
  ]);
  const name = new TextEncoder().encode(`${path}\0`);
  return Number(sys("openat2", syscallNr("openat2"), [
    rootFd,
    ptr(name),
    ptr(new Uint8Array(how.buffer)),
    how.byteLength,
  ], what));
}
