// setns(2) for the calling thread. Namespaces are per thread, so this is only meaningful on the
// thread that then spawns (the JS thread: libc calls here are never `nonblocking`).
import { check, libc, O_CLOEXEC, O_RDONLY, openFd } from "./libc.ts";
import { CLONE_NEWNET, CLONE_NEWPID } from "./spawn/flags.ts";
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
  return withThreadIn("pid_for_children", CLONE_NEWPID, "pid namespace", nsFd, fn);
}

/**
 * Runs `fn` with the calling thread in the network namespace open at `nsFd`, then puts it back:
 * a socket `fn` opens belongs to that namespace for good. `fn` must be synchronous.
 */
export function withNetNamespace<T>(nsFd: number, fn: () => T): T {
  return withThreadIn("net", CLONE_NEWNET, "network namespace", nsFd, fn);
}

function withThreadIn<T>(file: string, type: bigint, what: string, nsFd: number, fn: () => T): T {
  const original = openFd(`/proc/thread-self/ns/${file}`, O_RDONLY | O_CLOEXEC);
  try {
    setns(nsFd, type, what);
    try {
      return fn();
    } finally {
      // Failing to go back would leave this thread (or its later children) in the container's.
      setns(original, type, `original ${what}`);
    }
  } finally {
    closeFd(original);
  }
}
