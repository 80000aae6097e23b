// Whether tsrun runs as the host's root, as runc tells: an unprivileged user is rootless, and so
// is uid 0 in a user namespace someone else made (rootless podman runs its runtime that way), who
// may not write /run nor make cgroups either.

/** The inode of the initial user namespace (PROC_USER_INIT_INO, include/linux/proc_ns.h). */
const INIT_USER_NS_INO = 0xeffffffd;

export function inUserNamespace(): boolean {
  try {
    return Deno.statSync("/proc/self/ns/user").ino !== INIT_USER_NS_INO;
  } catch {
    return false;
  }
}

export function isHostRoot(): boolean {
  return Deno.uid() === 0 && !inUserNamespace();
}
