// spawn: clone3 through the native routine, the child running a SpawnPlan. Where clone3 is
// refused (ENOSYS), the process switches to the legacy clone once and for all (legacy.ts).
import { check, libc, pipe } from "../libc.ts";
import { SyscallError } from "../errors.ts";
import { ENOSYS } from "../errno.ts";
import { debug } from "../debug.ts";
import { Child } from "./child.ts";
import {
  CLONE_CLEAR_SIGHAND,
  CLONE_INTO_CGROUP,
  CLONE_NAMESPACES,
  CLONE_PIDFD,
  CLONE_VFORK,
  CLONE_VM,
  SIGCHLD,
} from "./flags.ts";
import type { Header, SpawnPlan } from "./plan.ts";
import { runRoutine } from "./routine.ts";
import { legacyClone } from "./legacy.ts";

export interface SpawnOptions {
  /** Namespace flags (CLONE_NEW*) only; the other clone3 flags come from the options below. */
  flags?: bigint;
  /** CLONE_PIDFD: return a pidfd (O_CLOEXEC) in child.pidfd. */
  pidfd?: boolean;
  /** CLONE_INTO_CGROUP: start the child in the cgroup2 directory open at this fd. */
  cgroupFd?: number;
  /**
   * CLONE_VM|CLONE_VFORK on a stack of its own: no copy of the parent's page tables, the
   * calling thread sleeps until the child exec'd or exited. The plan must then not wait for
   * the parent (a read on a pipe the parent writes later would never return).
   */
  vfork?: boolean;
  /** Signal the parent gets when the child exits (default SIGCHLD; 0 for none). */
  exitSignal?: number;
  /**
   * CLONE_CLEAR_SIGHAND (default true): the child starts with default handlers, so a signal
   * arriving before exec cannot run Deno's handler in the child (which, in a fork child, would
   * report the signal to the parent through its signal pipe). Required with vfork.
   */
  clearSignalHandlers?: boolean;
}

/**
 * Starts a child that runs `plan`'s steps and returns at once (synchronous). Await
 * child.result() (or call resultSync()) to learn whether the steps succeeded; reap it with
 * wait()/waitSync(). The plan is not consumed: free it when no more spawns need it.
 */
export function spawn(plan: SpawnPlan, opts: SpawnOptions = {}): Child {
  const flags = cloneFlags(opts);
  const [rd, wr] = pipe();
  const header: Header = {
    flags,
    exitSignal: opts.exitSignal ?? SIGCHLD,
    pidfd: opts.pidfd ?? false,
    cgroupFd: opts.cgroupFd ?? 0,
    vforkStack: opts.vfork ?? false,
    errFd: wr,
    legacy: false,
  };
  let ret: bigint;
  try {
    ret = clone(plan, header);
  } catch (e) {
    libc().close(rd);
    throw e;
  } finally {
    check("close", libc().close(wr));
  }
  if (ret < 0n) {
    libc().close(rd);
    throw new SyscallError(fallback ? "clone" : "clone3", Number(-ret));
  }
  const table = [...plan.prelude, ...plan.steps];
  const pidfd = opts.pidfd ? plan.pidfd() : undefined;
  return new Child(Number(ret), pidfd, rd, table, plan.prelude.length);
}

/** Makes the child with clone3, or with the legacy clone once clone3 answered ENOSYS. */
function clone(plan: SpawnPlan, header: Header): bigint {
  if (!fallback) {
    plan.setPrelude([]);
    plan.writeHeader(header);
    const ret = runRoutine(plan.pointer);
    if (ret !== -BigInt(ENOSYS)) return ret;
    fallback = true;
    debug("spawn: clone3 is refused (ENOSYS): using the legacy clone from now on");
  }
  const legacy = legacyClone(header);
  return legacy.run(() => {
    plan.setPrelude(legacy.prelude);
    plan.writeHeader(legacy.header);
    return runRoutine(plan.pointer);
  });
}

/** Set once clone3 answered ENOSYS: this process then spawns with the legacy clone only. */
let fallback = false;

/** Whether this process spawns with the legacy clone (clone3 was refused). */
export function cloneFallbackInUse(): boolean {
  return fallback;
}

function cloneFlags(opts: SpawnOptions): bigint {
  const ns = opts.flags ?? 0n;
  if (ns & ~CLONE_NAMESPACES) {
    throw new Error(
      `spawn: flags 0x${(ns & ~CLONE_NAMESPACES).toString(16)} not accepted (namespace flags ` +
        "only; pidfd, vfork and cgroupFd are options)",
    );
  }
  const clear = opts.clearSignalHandlers ?? true;
  if (opts.vfork && !clear) throw new Error("spawn: vfork requires clearSignalHandlers");
  let flags = ns;
  if (clear) flags |= CLONE_CLEAR_SIGHAND;
  if (opts.pidfd) flags |= CLONE_PIDFD;
  if (opts.vfork) flags |= CLONE_VM | CLONE_VFORK;
  if (opts.cgroupFd !== undefined) flags |= CLONE_INTO_CGROUP;
  return flags;
}
