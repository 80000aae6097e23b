// The container's seccomp filter, installed by the init on the thread that calls execve
// (filters are per thread; see process/seccomp/compile.ts on TSYNC). When it goes in is a step
// of the credential sequence (process/credentials.ts): before the credential change, or right
// before execve when no_new_privs or CAP_SYS_ADMIN lets the kernel take it then. With
// SCMP_ACT_NOTIFY the listener fd goes to the agent right after (listener.ts).
import type { Seccomp } from "../../specs/schema/linux.ts";
import { seccompSetFilter } from "../../syscalls/seccomp.ts";
import { compileSeccomp } from "../../process/seccomp/compile.ts";
import { type ListenerTarget, sendListener } from "../../process/seccomp/listener.ts";

/**
 * Compiles the filter now, so a bad profile fails `create`; returns its install, or undefined
 * without a profile. `listener` is where a NOTIFY profile's listener fd goes (the parent
 * connected it).
 */
export function seccompInstaller(
  seccomp: Seccomp | undefined,
  listener?: ListenerTarget,
): (() => void) | undefined {
  if (!seccomp) return undefined;
  const compiled = compileSeccomp(seccomp);
  if (compiled.listener && !listener) {
    throw new Error("linux.seccomp: SCMP_ACT_NOTIFY without a connected listenerPath");
  }
  return () => {
    let fd: number;
    try {
      fd = seccompSetFilter(compiled.filter, compiled.flags);
    } catch (e) {
      throw new Error(`installing the seccomp filter: ${(e as Error).message}`);
    }
    if (compiled.listener) sendListener(listener!, fd);
  };
}
