// The namespaces an exec'd process joins: every one of the container init's that is not ours
// already (same nsfs inode), whether the container made it or joined it by path.
import { NAMESPACES } from "../namespaces.ts";
import type { NamespaceType } from "../../specs/namespaces.ts";
import { O_CLOEXEC, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";

export interface NamespaceFd {
  type: NamespaceType;
  /** O_RDONLY|O_CLOEXEC on /proc/<pid>/ns/<name>, for setns. */
  fd: number;
}

/** The link's "type:[inode]" names the namespace (a stat would cost ~3x, for its dates). */
function identity(path: string): string | undefined {
  try {
    return Deno.readLinkSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined; // not in this kernel
    throw e;
  }
}

/** Opens the namespaces of `pid` that differ from this process's, the user namespace first
 * (joining it first gives the privileges to join the ones it owns). The caller closes them. */
export function openNamespaces(pid: number): NamespaceFd[] {
  const out: NamespaceFd[] = [];
  try {
    for (
      const [type, { proc }] of Object.entries(NAMESPACES) as [NamespaceType, { proc: string }][]
    ) {
      const theirs = `/proc/${pid}/ns/${proc}`;
      const id = identity(theirs);
      if (id === undefined || id === identity(`/proc/self/ns/${proc}`)) continue;
      try {
        out.push({ type, fd: openFd(theirs, O_RDONLY | O_CLOEXEC) });
      } catch (e) {
        throw new RuntimeError(`open ${type} namespace of the container: ${(e as Error).message}`);
      }
    }
  } catch (e) {
    closeNamespaces(out);
    throw e;
  }
  return out.sort((a, b) => Number(b.type === "user") - Number(a.type === "user"));
}

export function closeNamespaces(list: readonly NamespaceFd[]): void {
  for (const ns of list) closeFd(ns.fd);
}
