// The container's seccomp filter, compiled by `create` (runtime/exec/security.ts), installed by
// the init on the thread that calls execve (filters are per thread; see process/seccomp/compile.ts
// on TSYNC). When it goes in is a step of the credential sequence (process/credentials.ts): before
// the credential change, or right before execve when no_new_privs or CAP_SYS_ADMIN lets the
// kernel take it then. With SCMP_ACT_NOTIFY the listener fd goes to the agent right after
// (listener.ts).
import type { InitSeccomp } from "../protocol.ts";
import { seccompSetFilter } from "../../syscalls/seccomp.ts";
import { type ListenerTarget, sendListener } from "../../process/seccomp/listener.ts";

/**
 * The filter's install, or undefined without a profile. `listener` is where a NOTIFY profile's
 * listener fd goes (the parent connected it).
 */
export function seccompInstaller(
  compiled: InitSeccomp | undefined,
  listener?: ListenerTarget,
): (() => void) | undefined {
  if (!compiled) return undefined;
  const filter = Uint8Array.from(atob(compiled.filter), (c) => c.charCodeAt(0));
  if (compiled.listener && !listener) {
    throw new Error("linux.seccomp: SCMP_ACT_NOTIFY without a connected listenerPath");
  }
  return () => {
    let fd: number;
    try {
      fd = seccompSetFilter(filter, compiled.flags);
    } catch (e) {
      throw new Error(`installing the seccomp filter: ${(e as Error).message}`);
    }
    if (compiled.listener) sendListener(listener!, fd);
  };
}
