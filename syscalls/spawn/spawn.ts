// spawn: clone3 through the native routine, the child running a SpawnPlan.
import { check, libc, O_CLOEXEC, sys } from "../libc.ts";
import { SyscallError } from "../errors.ts";
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
import { syscallNr } from "../nr.ts";
import type { SpawnPlan } from "./plan.ts";
import { runRoutine } from "./routine.ts";

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
  const fds = new Int32Array(2);
  sys("pipe2", syscallNr("pipe2"), [
    Deno.UnsafePointer.value(Deno.UnsafePointer.of(fds)),
    O_CLOEXEC,
  ]);
  const [rd, wr] = fds;
  let ret: bigint;
  try {
    plan.writeHeader({
      flags,
      exitSignal: opts.exitSignal ?? SIGCHLD,
      pidfd: opts.pidfd ?? false,
      cgroupFd: opts.cgroupFd ?? 0,
      vforkStack: opts.vfork ?? false,
      errFd: wr,
    });
    ret = runRoutine(plan.pointer);
  } catch (e) {
    libc().close(rd);
    throw e;
  } finally {
    check("close", libc().close(wr));
  }
  if (ret < 0n) {
    libc().close(rd);
    throw new SyscallError("clone3", Number(-ret));
  }
  return new Child(Number(ret), opts.pidfd ? plan.pidfd() : undefined, rd, [...plan.steps]);
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
