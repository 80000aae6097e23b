// Whether tsrun runs as the host's root, as runc tells: an unprivileged user is rootless, and so
// is uid 0 in a user namespace someone else made (rootless podman runs its runtime that way), who
// may not write /run nor make cgroups either.

/** The inode of the initial user namespace (PROC_USER_INIT_INO, include/linux/proc_ns.h). */
const INIT_USER_NS_INO = 0xeffffffd;

// Asked once: tsrun never changes its own user namespace (setns into one fails in a process
// with threads, as Deno is).
let inUserns: boolean | undefined;

export function inUserNamespace(): boolean {
  if (inUserns === undefined) {
    try {
      // The link ("user:[INODE]") rather than a stat: Deno's first stat costs ~0.3 ms more.
      inUserns = Deno.readLinkSync("/proc/self/ns/user") !== `user:[${INIT_USER_NS_INO}]`;
    } catch {
      inUserns = false;
    }
  }
  return inUserns;
}

export function isHostRoot(): boolean {
  return Deno.uid() === 0 && !inUserNamespace();
}
