// The user process: everything runc's finalizeNamespace does, on the thread that will execve.
// Runs after the root switch; errors here are still reported to `create`.
import type { InitRequest } from "./protocol.ts";
import { lookPath } from "../process/look-path.ts";
import { seccompInstaller } from "./seccomp/install.ts";
import type { ListenerTarget } from "../process/seccomp/listener.ts";
import type { State } from "../specs/schema/state.ts";
import { type CredentialStep, credentialSteps } from "../process/credentials.ts";
import { hostFacts } from "../process/host-facts.ts";
import { prepareEnv } from "../process/env.ts";
import { applyProcessAttrs } from "../process/process-attrs.ts";
import { setExecLabels } from "../process/lsm.ts";
import { sysArgs } from "../process/sys-args.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { errnoMessage } from "../syscalls/errno.ts";
import {
  check,
  cstr,
  libc,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  O_WRONLY,
  openFd,
  setCloexec,
} from "../syscalls/libc.ts";
import { execve } from "../syscalls/process.ts";

function readPasswd(): string | undefined {
  try {
    return Deno.readTextFileSync("/etc/passwd");
  } catch {
    return undefined;
  }
}

/**
 * chdir by path inside the container's root, then make sure the result is inside it: a cwd such
 * as /proc/self/fd/N on a directory fd leaked from the host would otherwise put the process
 * outside the container (CVE-2024-21626). getcwd(3) reports such a directory as unreachable.
 */
function enterCwd(cwd: string): void {
  check("chdir", libc().chdir(cstr(cwd)), cwd);
  let real: string;
  try {
    real = Deno.cwd();
  } catch {
    real = "";
  }
  if (!real.startsWith("/")) {
    throw new Error(
      `process.cwd ${cwd}: the working directory is outside the container's root ` +
        "(possible container breakout)",
    );
  }
}

/** Where the seccomp listener fd goes, when the parent connected to listenerPath. */
function listenerTarget(req: InitRequest): ListenerTarget | undefined {
  if (req.seccompListener === undefined) return undefined;
  return {
    socket: req.seccompListener,
    metadata: req.config.linux?.seccomp?.listenerMetadata,
    state: req.state as unknown as State,
    pid: req.state.pid as number,
  };
}

/** Runs credential steps on this thread, failing as a spawn child's step would. */
function runSteps(steps: readonly CredentialStep[], installFilter: () => void): void {
  for (const s of steps) {
    if (s.syscall === "seccomp-filter") {
      installFilter();
      continue;
    }
    try {
      sysArgs(s.syscall, s.args);
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      throw new Error(`${s.label}: ${errnoMessage(e.errno)} (${e.errnoName})`);
    }
  }
}

/** Sets up credentials now; returns the exec to run once `start` arrives. */
export function prepareProcess(req: InitRequest): () => never {
  const proc = req.config.process;
  if (!proc?.args?.length) throw new Error("process.args must not be empty");
  const user = proc.user ?? { uid: 0, gid: 0 };
  const uid = user.uid ?? 0;
  const env = prepareEnv(proc.env ?? [], uid, readPasswd);
  enterCwd(proc.cwd ?? "/");
  const path = lookPath(proc.args[0], env);
  const seccomp = seccompInstaller(req.seccomp, listenerTarget(req));
  const { steps, warnings } = credentialSteps({
    uid,
    gid: user.gid ?? 0,
    additionalGids: user.additionalGids ?? [],
    umask: user.umask,
    capabilities: proc.capabilities ?? {},
    noNewPrivileges: proc.noNewPrivileges === true,
    rlimits: proc.rlimits ?? [],
    preserveFds: req.preserveFds,
    seccomp: seccomp !== undefined,
  }, hostFacts("/proc/self/setgroups", req.newUserns ? "unknown" : "allow"));
  for (const w of warnings) console.error(`tsrun: warning: ${w}`);
  const install = seccomp ?? (() => {});

  if (proc.oomScoreAdj !== undefined) {
    Deno.writeTextFileSync("/proc/self/oom_score_adj", String(proc.oomScoreAdj));
  }
  // Real-time policies and classes need the capabilities about to be dropped.
  applyProcessAttrs(proc, req.config.linux);
  setExecLabels(req.config);
  runSteps(steps.filter((s) => !s.atExec), install);
  return () => {
    runSteps(steps.filter((s) => s.atExec), install);
    return execve(path, proc.args!, env);
  };
}

/**
 * The exec fifo: an O_PATH fd the parent opened on the host, and this process's own fd
 * directory to reopen it through. Opening the fifo for writing blocks until `start`, so it is
 * reopened only then, and /proc/self/fd is held now: the container may have no /proc later.
 */
export interface ExecFifo {
  procFd: number;
  fifoFd: number;
}

export function holdExecFifo(fifoFd: number): ExecFifo {
  setCloexec(fifoFd, true, "exec fifo");
  return { procFd: openFd("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC), fifoFd };
}

/**
 * Blocks until `tsrun start` opens the exec fifo for reading, then tells it we go. Returns the
 * write end, which `start` reads to EOF: the caller closes it once the container's process is
 * all that is left to execute, so that `start` returns after any startContainer hooks and does
 * not wait for the execve's teardown of this Deno (~4-6 ms). A signal sent from then on meets
 * default dispositions either way: this init has no handler for any signal an engine sends,
 * like the program before it installs its own (as pid 1 of the container's namespace, either
 * drops what it does not handle).
 */
export function waitForStart(fifo: ExecFifo): number {
  const fd = check(
    "open",
    libc().openat(fifo.procFd, cstr(String(fifo.fifoFd)), O_WRONLY | O_CLOEXEC, 0),
    "exec fifo",
  );
  check("write", Number(libc().write(fd, cstr("0"), 1n)), "exec fifo");
  for (const f of [fifo.procFd, fifo.fifoFd]) libc().close(f);
  return fd;
}
