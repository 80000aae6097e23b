// Exiting without keeping the caller waiting while the kernel frees Deno's memory.
import { libcInUse, pipe, sys } from "../libc.ts";
import { syscallNr } from "../nr.ts";
import { PR } from "../process.ts";
import { SpawnPlan } from "./plan.ts";
import { runRoutine } from "./routine.ts";
import { CLONE_CLEAR_SIGHAND, CLONE_VM, SIGCHLD } from "./flags.ts";

const CLOSE_ALL_ABOVE = 0xffffffff;

/**
 * Deno.exit(code), but the caller's wait returns before the kernel has freed this process's
 * address space: freeing Deno's takes ~3.5 ms (sched tracepoints, from the last thread's exit to
 * the parent's wait4), and it happens before the parent is told. A helper sharing the memory
 * (CLONE_VM, with its own copy of the fd table) closes every fd but a pipe's read end and blocks
 * on it; this process holds the only write end, which its exit closes after dropping its hold on
 * the memory, so the helper then exits and the freeing is its own, off the caller's path.
 * The helper runs only the native routine, holds no fd anyone waits on nor the cwd, and is
 * reaped, like any orphan, by the caller's subreaper or init (a shim, conmon, a shell, init all
 * reap). Until it is gone the memory keeps its mapped files busy: Deno's executable (ETXTBSY to
 * a writer) for a few ms after the exit, as for the whole life of any running tsrun.
 * Handing off costs ~1 ms once libc is bound, ~2.5 ms more before: a process that never needed
 * libc exits plainly, as it does where the helper cannot start (clone3 refused under qemu-user).
 */
export function exitSoon(code: number): never {
  if (libcInUse()) {
    try {
      handOff();
      // exit_group itself: nothing is left to flush (Deno writes stdout and stderr unbuffered,
      // tsrun registers no unload listener), and Deno.exit's unload event and teardown of its
      // runtime cost ~0.5-1 ms more.
      sys("exit_group", syscallNr("exit_group"), [code]);
    } catch { /* the plain exit below still happens */ }
  }
  Deno.exit(code);
}

function handOff(): void {
  const [rd] = pipe();
  const plan = new SpawnPlan({ size: 8192, signals: "inherit" });
  if (rd > 0) plan.step("close the fds below", "close_range", [0, rd - 1, 0]);
  plan.step("close the fds above", "close_range", [rd + 1, CLOSE_ALL_ABOVE, 0]);
  // Named, for ps: it shows tsrun's command line (the memory is tsrun's) after tsrun is gone.
  plan.step("name it", "prctl", [PR.SET_NAME, plan.str("tsrun-exit")]);
  // Its own copy of the cwd would keep that directory's mount busy until it is gone.
  plan.step("leave the cwd", "chdir", [plan.str("/")]);
  plan.step("wait for the exit", "read", [rd, plan.buffer(8), 1]);
  plan.writeHeader({
    flags: CLONE_VM | CLONE_CLEAR_SIGHAND,
    exitSignal: SIGCHLD,
    pidfd: false,
    cgroupFd: 0,
    vforkStack: true,
    errFd: -1,
    legacy: false,
  });
  // The plan stays mapped: the helper runs on its stack until this process is gone. If the
  // clone failed (-errno), nothing was started and the exit is plain.
  runRoutine(plan.pointer);
}
