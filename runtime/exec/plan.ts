// The exec'd process's way in, as a spawn plan (raw syscalls between clone and execve): join the
// container's cgroups and namespaces, take the terminal, enter the cwd, then the credential
// steps the container's init runs too (process/credentials.ts), and exec.
import { SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { NAMESPACES } from "../namespaces.ts";
import { TIOCSCTTY } from "../../syscalls/tty.ts";
import type { ExecProcess } from "./process.ts";
import type { NamespaceFd } from "./namespaces.ts";
import type { ExecSeccomp } from "./security.ts";
import { type ListenerHandoff, planSeccomp } from "../../syscalls/seccomp.ts";
import { ALL_CPUS, cpuListMask } from "../../process/process-attrs.ts";
import type { CredentialStep } from "../../process/credentials.ts";
import { AT_EMPTY_PATH } from "../../syscalls/libc.ts";

export interface ExecPlanInput {
  process: ExecProcess;
  /** The program as the container sees it (looked up already). */
  path: string;
  /** Env with duplicates settled and HOME added. */
  env: string[];
  /**
   * Namespaces to setns into from the child, in order; pid (then a fork) only where the caller
   * cannot join it itself (see exec.ts).
   */
  namespaces: readonly NamespaceFd[];
  /** v1 `tasks` fds to write "0" into (runtime/exec/cgroup.ts). */
  cgroupTasksFds: readonly number[];
  /** The working directory, opened in the container's root (fchdir'd after the setns). */
  cwdFd: number;
  /** The pty peer to make the controlling terminal and stdio. */
  tty?: number;
  seccomp?: ExecSeccomp;
  /** Where the child puts a NOTIFY filter's listener fd (exec/seccomp-listener.ts). */
  seccompHandoff?: ListenerHandoff;
  /** process/credentials.ts's steps for the process. */
  credentials: readonly CredentialStep[];
}

export function execPlan(i: ExecPlanInput): SpawnPlan {
  const p = i.process;
  const plan = new SpawnPlan();
  const affinity = (label: string, list: string | undefined, fallback?: Uint8Array) => {
    const mask = list === undefined ? fallback : cpuListMask(list);
    if (mask) plan.step(label, "sched_setaffinity", [0, mask.length, plan.bytes(mask)]);
  };
  affinity("set the initial CPU affinity", p.execCPUAffinity?.initial);
  // Host side first: the kernel checks the writer against the cgroup namespace it is in.
  for (const fd of i.cgroupTasksFds) {
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
    // A joined pid namespace takes in only the joiner's new children.
    if (ns.type === "pid") plan.fork("fork into the container's pid namespace");
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
  // The same credential sequence as the container's init, in the same order.
  for (const s of i.credentials) {
    if (s.syscall === "seccomp-filter") {
      planSeccomp(plan, i.seccomp!.filter, i.seccomp!.flags, i.seccompHandoff);
    } else {
      const args = s.args.map((a) => a instanceof Uint8Array ? plan.bytes(a) : a);
      plan.step(s.label, s.syscall, args);
    }
  }
  plan.execve(i.path, p.args, i.env, `exec ${JSON.stringify(p.args[0])}`);
  return plan;
}
