// When init installs the container's seccomp filter. The kernel accepts a filter only from a
// thread with no_new_privs or CAP_SYS_ADMIN, so:
// - with noNewPrivileges, or CAP_SYS_ADMIN among the process's effective capabilities, it goes
//   in right before execve, after credentials are dropped: the filter then sees none of init's
//   own work (waiting for `start`, hooks, rlimits), only close_range and execve;
// - otherwise it goes in just before credentials are dropped, while init still has
//   CAP_SYS_ADMIN, as runc and crun do, rather than setting no_new_privs behind the config's
//   back (that would stop setuid programs in the container). The rest of init's syscalls then
//   pass through the filter, so a profile must allow them, as with runc.
// Either way it runs on the thread that calls execve (filters are per thread; see compile.ts
// on TSYNC). With SCMP_ACT_NOTIFY the listener fd goes to the agent right after (listener.ts).
import type { Seccomp } from "../../specs/schema/linux.ts";
import type { Process } from "../../specs/schema/process.ts";
import { capabilityBit } from "../../specs/capabilities.ts";
import { seccompSetFilter } from "../../syscalls/seccomp.ts";
import { capMask } from "../../process/capabilities.ts";
import { compileSeccomp } from "../../process/seccomp/compile.ts";
import { type ListenerTarget, sendListener } from "../../process/seccomp/listener.ts";

export interface SeccompInstaller {
  /** Called right before the credential drop (setgroups/setresuid/capset). */
  beforeCredentials(): void;
  /** Called right before execve. */
  beforeExec(): void;
}

const NOTHING: SeccompInstaller = { beforeCredentials() {}, beforeExec() {} };

/**
 * Compiles the filter now, so a bad profile fails `create`; installs it at the right time.
 * `listener` is where a NOTIFY profile's listener fd goes (the parent connected it).
 */
export function seccompInstaller(
  seccomp: Seccomp | undefined,
  proc: Process,
  listener?: ListenerTarget,
): SeccompInstaller {
  if (!seccomp) return NOTHING;
  const compiled = compileSeccomp(seccomp);
  if (compiled.listener && !listener) {
    throw new Error("linux.seccomp: SCMP_ACT_NOTIFY without a connected listenerPath");
  }
  const install = () => {
    let fd: number;
    try {
      fd = seccompSetFilter(compiled.filter, compiled.flags);
    } catch (e) {
      throw new Error(`installing the seccomp filter: ${(e as Error).message}`);
    }
    if (compiled.listener) sendListener(listener!, fd);
  };
  const sysAdmin = 1n << BigInt(capabilityBit("CAP_SYS_ADMIN")!);
  const late = proc.noNewPrivileges === true ||
    (capMask(proc.capabilities?.effective) & sysAdmin) !== 0n;
  return late
    ? { beforeCredentials() {}, beforeExec: install }
    : { beforeCredentials: install, beforeExec() {} };
}
