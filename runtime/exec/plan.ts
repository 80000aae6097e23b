// The exec'd process's way in, as a spawn plan (raw syscalls between clone and execve): join the
// container's cgroups and namespaces, take the terminal, then what runc's setns init does —
// cwd, limits, bounding set, seccomp, groups and ids, capabilities, no_new_privs, umask — and
// exec.
import { SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { NAMESPACES } from "../namespaces.ts";
import { capabilityBit } from "../../specs/capabilities.ts";
import { rlimitResource } from "../../specs/rlimits.ts";
import { capMask } from "../../process/capabilities.ts";
import { PR } from "../../syscalls/process.ts";
import { TIOCSCTTY } from "../../syscalls/tty.ts";
import type { ExecProcess } from "./process.ts";
import type { NamespaceFd } from "./namespaces.ts";
import type { ExecSeccomp } from "./security.ts";
import { type ListenerHandoff, planSeccomp } from "../../syscalls/seccomp.ts";
import { ALL_CPUS, cpuListMask } from "../../process/process-attrs.ts";
import { toUint64 } from "../../specs/uint64.ts";

export interface ExecPlanInput {
  process: ExecProcess;
  /** The program as the container sees it (looked up already). */
  path: string;
  /** Env with duplicates settled and HOME added. */
  env: string[];
  /** Namespaces to setns into from the child, in order (not pid: see exec.ts). */
  namespaces: readonly NamespaceFd[];
  /** cgroup.procs fds to write "0" into. */
  cgroupProcsFds: readonly number[];
  /** The working directory, opened in the container's root (fchdir'd after the setns). */
  cwdFd: number;
  /** The pty peer to make the controlling terminal and stdio. */
  tty?: number;
  seccomp?: ExecSeccomp;
  /** Where the child puts a NOTIFY filter's listener fd (exec/seccomp-listener.ts). */
  seccompHandoff?: ListenerHandoff;
  preserveFds: number;
  /** false when the container's user namespace denies setgroups(2). */
  setgroups: boolean;
  /** Highest capability number the kernel knows. */
  lastCap: number;
}

const CAP_VERSION_3 = 0x20080522;
const AT_EMPTY_PATH = 0x1000;
const CLOSE_RANGE_CLOEXEC = 4;

export function execPlan(i: ExecPlanInput): SpawnPlan {
  const p = i.process;
  const plan = new SpawnPlan();
  const affinity = (label: string, list: string | undefined, fallback?: Uint8Array) => {
    const mask = list === undefined ? fallback : cpuListMask(list);
    if (mask) plan.step(label, "sched_setaffinity", [0, mask.length, plan.bytes(mask)]);
  };
  affinity("set the initial CPU affinity", p.execCPUAffinity?.initial);
  // Host side first: cgroup.procs checks the writer against the cgroup namespace it is in.
  for (const fd of i.cgroupProcsFds) {
    plan.step("join the container's cgroup", "write", [fd, plan.str("0"), 1]);
  }
  // Without a final list, an initial one is undone: every CPU the container's cpuset allows.
  affinity(
    "set the final CPU affinity",
    p.execCPUAffinity?.final,
    p.execCPUAffinity?.initial === undefined ? undefined : ALL_CPUS,
  );
  for (const ns of i.namespaces) {
    plan.step(`join the container's ${ns.type} namespace`, "setns", [
      ns.fd,
      NAMESPACES[ns.type].flag,
    ]);
  }
  if (i.tty !== undefined) {
    plan.step("start a session", "setsid", []);
    plan.step("set the controlling terminal", "ioctl", [i.tty, TIOCSCTTY, 0]);
    for (const fd of [0, 1, 2]) plan.step(`terminal as fd ${fd}`, "dup3", [i.tty, fd, 0]);
    // The terminal belongs to the user who runs in it (runc's fixStdioPermissions).
    if (p.uid !== 0) {
      plan.step("give the terminal to the user", "fchownat", [
        i.tty,
        plan.str(""),
        p.uid,
        -1,
        AT_EMPTY_PATH,
      ]);
    }
  }
  plan.step(`chdir to cwd ${JSON.stringify(p.cwd)}`, "fchdir", [i.cwdFd]);
  for (const r of p.rlimits) {
    const lim = new BigUint64Array([toUint64(r.soft), toUint64(r.hard)]);
    plan.step(`set ${r.type}`, "prlimit64", [
      0,
      rlimitResource(r.type) ?? -1,
      plan.bytes(new Uint8Array(lim.buffer)),
      0,
    ]);
  }
  // Before the filter, which may not allow close_range.
  plan.step("mark inherited fds close-on-exec", "close_range", [
    3 + i.preserveFds,
    0xffffffff,
    CLOSE_RANGE_CLOEXEC,
  ]);
  credentials(plan, i);
  if (p.noNewPrivileges) plan.step("set no_new_privs", "prctl", [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0]);
  if (p.umask !== undefined) plan.step("set the umask", "umask", [p.umask & 0o777]);
  if (i.seccomp?.late) planSeccomp(plan, i.seccomp.filter, i.seccomp.flags, i.seccompHandoff);
  plan.execve(i.path, p.args, i.env, `exec ${JSON.stringify(p.args[0])}`);
  return plan;
}

/** Bounding set, groups and ids (keeping capabilities across the switch), then capset and the
 * ambient raises, in the order runc's finalizeNamespace uses. */
function credentials(plan: SpawnPlan, i: ExecPlanInput): void {
  const p = i.process;
  const caps = p.capabilities;
  const bounding = capMask(caps.bounding);
  for (let cap = 0; cap <= i.lastCap; cap++) {
    if (!(bounding & (1n << BigInt(cap)))) {
      plan.step(`drop capability ${cap} from the bounding set`, "prctl", [PR.CAPBSET_DROP, cap]);
    }
  }
  plan.step("keep capabilities across setuid", "prctl", [PR.SET_KEEPCAPS, 1]);
  if (i.seccomp && !i.seccomp.late) {
    planSeccomp(plan, i.seccomp.filter, i.seccomp.flags, i.seccompHandoff);
  }
  if (i.setgroups) {
    const gids = new Uint32Array(p.additionalGids.length || 1);
    gids.set(p.additionalGids);
    plan.step("set the additional groups", "setgroups", [
      p.additionalGids.length,
      plan.bytes(new Uint8Array(gids.buffer)),
    ]);
  }
  plan.step(`set gid ${p.gid}`, "setresgid", [p.gid, p.gid, p.gid]);
  plan.step(`set uid ${p.uid}`, "setresuid", [p.uid, p.uid, p.uid]);
  const perm = capMask(caps.permitted);
  // Effective but not permitted cannot be granted (capset refuses): left out, as validate warns
  // and as the container's init does.
  const eff = capMask(caps.effective) & perm;
  const inh = capMask(caps.inheritable);
  const lo = (m: bigint) => Number(m & 0xffffffffn), hi = (m: bigint) => Number(m >> 32n);
  const header = new Uint32Array([CAP_VERSION_3, 0]);
  const data = new Uint32Array([lo(eff), lo(perm), lo(inh), hi(eff), hi(perm), hi(inh)]);
  plan.step("set capabilities", "capset", [
    plan.bytes(new Uint8Array(header.buffer)),
    plan.bytes(new Uint8Array(data.buffer)),
  ]);
  // The kernel lets a capability be ambient only when permitted and inheritable: runc skips
  // the others rather than failing.
  for (const name of caps.ambient ?? []) {
    const bit = capabilityBit(name);
    if (bit !== undefined && (perm & inh) & (1n << BigInt(bit))) {
      plan.step(`raise ambient ${name}`, "prctl", [
        PR.CAP_AMBIENT,
        PR.CAP_AMBIENT_RAISE,
        bit,
        0,
        0,
      ]);
    }
  }
}
