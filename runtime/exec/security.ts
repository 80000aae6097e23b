// What confines an exec'd process besides its credentials. The container's seccomp filter is
// compiled here, by `create` for the init as by `exec`, and goes in at the step of the
// credential sequence both use (process/credentials.ts): through the spawn child for `exec`.
// AppArmor and SELinux labels are not applied to exec'd processes yet: a process that should
// have one is refused rather than run unconfined.
import type { Seccomp } from "../../specs/schema/linux.ts";
import { apparmorEnabled, selinuxEnabled } from "../../process/lsm.ts";
import { RuntimeError } from "../errors.ts";
import { seccomp as seccompPart } from "../parts.ts";
import type { ExecProcess } from "./process.ts";

export function checkLsm(proc: ExecProcess): void {
  const refuse = (what: string, value: string, enabled: boolean) => {
    throw new RuntimeError(
      enabled
        ? `${what} "${value}": tsrun does not apply it to exec'd processes yet`
        : `${what} "${value}": ${what.split(" ")[0]} is not enabled on this host`,
    );
  };
  if (proc.apparmorProfile) refuse("AppArmor profile", proc.apparmorProfile, apparmorEnabled());
  if (proc.selinuxLabel) refuse("SELinux label", proc.selinuxLabel, selinuxEnabled());
}

export interface ExecSeccomp {
  /** struct sock_filter[] and the seccomp(2) flags. */
  filter: Uint8Array<ArrayBuffer>;
  flags: number;
  /** SCMP_ACT_NOTIFY: the agent's socket (linux.seccomp.listenerPath) and metadata. */
  listener?: { path: string; metadata?: string };
}

export async function compileFilter(
  seccomp: Seccomp | undefined,
): Promise<ExecSeccomp | undefined> {
  if (!seccomp) return undefined;
  // A part, loaded only for containers that have a filter: the syscall tables are large.
  const { compileSeccomp } = await seccompPart();
  let compiled;
  try {
    compiled = compileSeccomp(seccomp);
  } catch (e) {
    throw new RuntimeError(`linux.seccomp: ${(e as Error).message}`);
  }
  const listener = compiled.listener
    ? { path: seccomp.listenerPath!, metadata: seccomp.listenerMetadata }
    : undefined;
  return { filter: compiled.filter, flags: compiled.flags, listener };
}
