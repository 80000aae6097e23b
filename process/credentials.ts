// The container process's credentials as data: one list of steps, computed from the process
// spec and a few host facts, that the init runs on its own thread (init/process.ts) and `exec`
// appends to its spawn plan (runtime/exec/plan.ts). The order is runc's finalizeNamespace:
// fds marked close-on-exec, bounding set, the seccomp filter when it cannot wait, groups and
// ids with capabilities kept across the switch, capset, ambient raises, no_new_privs, umask;
// then, right before execve, the rlimits (a low RLIMIT_NOFILE or RLIMIT_AS must not hit the
// init's Deno runtime while it waits for `start`) and the seccomp filter when it can wait.
import type { Capabilities, Rlimit } from "../specs/schema/process.ts";
import { capabilityBit } from "../specs/capabilities.ts";
import { rlimitResource } from "../specs/rlimits.ts";
import { toUint64 } from "../specs/uint64.ts";
import type { SyscallName } from "../syscalls/nr.ts";
import { PR } from "../syscalls/process.ts";
import { capHeader, capMask, capNames } from "./capabilities.ts";

/** What the credential steps need of a process: the fields `run` and `exec` read alike. */
export interface CredentialSpec {
  uid: number;
  gid: number;
  additionalGids: readonly number[];
  /** undefined: 0o022, as for the init. */
  umask?: number;
  capabilities: Capabilities;
  noNewPrivileges: boolean;
  rlimits: readonly Rlimit[];
  /** fds 3..3+N-1 stay open across execve; the rest are marked close-on-exec. */
  preserveFds: number;
  /** Whether a seccomp filter is to be installed (where: see seccompLate). */
  seccomp: boolean;
}

/** What the host (or the container's user namespace) allows. */
export interface HostFacts {
  /** The highest capability number the kernel knows. */
  lastCap: number;
  /** Capabilities the caller can pass on (its permitted and bounding sets). */
  grantable: bigint;
  /** setgroups(2) in the process's user namespace; "unknown" tries only when asked to. */
  setgroups: "allow" | "deny" | "unknown";
}

export type StepArg = number | bigint | Uint8Array<ArrayBuffer>;

export type CredentialStep =
  | { label: string; syscall: SyscallName; args: StepArg[]; atExec: boolean }
  /** Install the container's seccomp filter: each side has its own way to hand a listener on. */
  | { label: string; syscall: "seccomp-filter"; args: []; atExec: boolean };

export interface CredentialPlan {
  steps: CredentialStep[];
  /** One line per capability set that asks for what cannot be granted (left out). */
  warnings: string[];
}

const CLOSE_RANGE_CLOEXEC = 4;

/**
 * The kernel takes a filter only from a thread with no_new_privs or CAP_SYS_ADMIN: with either
 * it waits until right before execve and sees none of the setup; else it goes in before the
 * credential change, as runc and crun do, rather than setting no_new_privs behind the config's
 * back (that would stop setuid programs in the container).
 */
export function seccompLate(p: Pick<CredentialSpec, "noNewPrivileges" | "capabilities">): boolean {
  const sysAdmin = 1n << BigInt(capabilityBit("CAP_SYS_ADMIN")!);
  return p.noNewPrivileges || (capMask(p.capabilities.effective) & sysAdmin) !== 0n;
}

export function credentialSteps(p: CredentialSpec, host: HostFacts): CredentialPlan {
  const steps: CredentialStep[] = [];
  const step = (label: string, syscall: SyscallName, args: StepArg[], atExec = false) =>
    steps.push({ label, syscall, args, atExec });
  const { sets, warnings } = grantable(p.capabilities, host.grantable);
  const late = seccompLate(p);
  const filter = (atExec: boolean) => {
    if (p.seccomp && late === atExec) {
      steps.push({
        label: "install the seccomp filter",
        syscall: "seccomp-filter",
        args: [],
        atExec,
      });
    }
  };

  // Before the filter, which may not allow close_range.
  step("mark inherited fds close-on-exec", "close_range", [
    3 + p.preserveFds,
    0xffffffff,
    CLOSE_RANGE_CLOEXEC,
  ]);
  step("keep capabilities across setuid", "prctl", [PR.SET_KEEPCAPS, 1]);
  for (let cap = 0; cap <= host.lastCap; cap++) {
    if (!(sets.bounding & (1n << BigInt(cap)))) {
      step(`drop capability ${cap} from the bounding set`, "prctl", [PR.CAPBSET_DROP, cap]);
    }
  }
  filter(false);
  groups(p, host, step);
  step(`set gid ${p.gid}`, "setresgid", [p.gid, p.gid, p.gid]);
  step(`set uid ${p.uid}`, "setresuid", [p.uid, p.uid, p.uid]);
  // An effective capability that is not permitted cannot be granted (capset refuses): left
  // out, as config.md asks and validation warns.
  const eff = sets.effective & sets.permitted;
  const lo = (m: bigint) => Number(m & 0xffffffffn), hi = (m: bigint) => Number(m >> 32n);
  const { permitted: perm, inheritable: inh } = sets;
  const data = new Uint32Array([lo(eff), lo(perm), lo(inh), hi(eff), hi(perm), hi(inh)]);
  step("set capabilities", "capset", [capHeader(), new Uint8Array(data.buffer)]);
  step("stop keeping capabilities across setuid", "prctl", [PR.SET_KEEPCAPS, 0]);
  // The kernel lets a capability be ambient only when permitted and inheritable: runc skips
  // the others rather than failing.
  const ambient = sets.ambient & perm & inh;
  for (const name of capNames(ambient)) {
    const bit = capabilityBit(name)!;
    step(`raise ambient ${name}`, "prctl", [PR.CAP_AMBIENT, PR.CAP_AMBIENT_RAISE, bit]);
  }
  if (p.noNewPrivileges) step("set no_new_privs", "prctl", [PR.SET_NO_NEW_PRIVS, 1]);
  step("set the umask", "umask", [(p.umask ?? 0o022) & 0o777]);
  for (const r of p.rlimits) {
    const lim = new BigUint64Array([toUint64(r.soft), toUint64(r.hard)]);
    const resource = rlimitResource(r.type) ?? -1;
    step(`set ${r.type}`, "prlimit64", [0, resource, new Uint8Array(lim.buffer), 0], true);
  }
  filter(true);
  return { steps, warnings };
}

/** Supplementary groups: always set (clearing the caller's) where setgroups(2) is allowed. */
function groups(
  p: CredentialSpec,
  host: HostFacts,
  step: (label: string, syscall: SyscallName, args: StepArg[]) => void,
): void {
  const asked = p.additionalGids.length > 0;
  if (host.setgroups === "deny") {
    if (asked) {
      throw new Error(
        "process.user.additionalGids: the container's user namespace denies setgroups",
      );
    }
    return;
  }
  if (host.setgroups === "unknown" && !asked) return;
  const gids = new Uint32Array(p.additionalGids.length || 1);
  gids.set(p.additionalGids);
  step("set the additional groups", "setgroups", [
    p.additionalGids.length,
    new Uint8Array(gids.buffer),
  ]);
}

type CapSet = "bounding" | "effective" | "permitted" | "inheritable" | "ambient";
const SETS: readonly CapSet[] = ["bounding", "effective", "permitted", "inheritable", "ambient"];

/** The five sets as masks without what cannot be granted: the spec asks for a warning there,
 * not a failure (runc fails in capset). */
function grantable(caps: Capabilities, can: bigint) {
  const sets = Object.fromEntries(SETS.map((s) => [s, capMask(caps[s])])) as Record<
    CapSet,
    bigint
  >;
  const lost = SETS.reduce((a, s) => a | sets[s], 0n) & ~can;
  const warnings = lost
    ? [
      `process.capabilities: ${capNames(lost).join(", ")} cannot be granted by this runtime, ` +
      "left out",
    ]
    : [];
  for (const s of SETS) sets[s] &= can;
  return { sets, warnings };
}
