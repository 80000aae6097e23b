// setns(2) for the calling thread. Namespaces are per thread, so this is only meaningful on the
// thread that then spawns (the JS thread: libc calls here are never `nonblocking`).
import { check, libc, O_CLOEXEC, O_RDONLY, openFd } from "./libc.ts";
import { CLONE_NEWPID } from "./spawn/flags.ts";
import { closeFd } from "./socket.ts";

export function setns(fd: number, nstype: bigint, what: string): void {
  check("setns", libc().setns(fd, Number(nstype)), what);
}

/**
 * Runs `fn` with the calling thread's pid_for_children set to the pid namespace open at `nsFd`,
 * then puts it back. A pid namespace applies to children only, and a multithreaded process may
 * still move one thread's pid_for_children: children cloned by `fn` on this thread start in
 * the namespace, the rest of the process never notices. `fn` must be synchronous and create no
 * threads (clone with CLONE_THREAD fails while pid_for_children differs from the active one).
 */
export function withPidNamespaceForChildren<T>(nsFd: number, fn: () => T): T {
  const original = openFd("/proc/thread-self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
  try {
    setns(nsFd, CLONE_NEWPID, "pid namespace");
    try {
      return fn();
    } finally {
      // Failing to go back would leave later children of this thread in the container.
      setns(original, CLONE_NEWPID, "original pid namespace");
    }
  } finally {
    closeFd(original);
  }
}
