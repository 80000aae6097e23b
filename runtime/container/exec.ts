// `exec`: a new process in a running container. tsrun cannot run inside the container itself
// (a dynamically linked Deno has no loader there, and a multithreaded process cannot join a
// user namespace), so a native spawn child joins the init's cgroups and namespaces and execs
// the program; everything that can fail is checked from the host before it starts.
import type { Store } from "../state/store.ts";
import type { CgroupManager } from "../cgroups/types.ts";
import { assertCan } from "../state/status.ts";
import { ourPidfd } from "../state/process.ts";
import { RuntimeError } from "../errors.ts";
import { loadContainer } from "./load.ts";
import { ociState } from "./inspect.ts";
import { writePidFile } from "./pid-file.ts";
import { SignalForwarder, waitForeground } from "./run.ts";
import { buildExecProcess, type ExecProcess, type ExecRequest } from "../exec/process.ts";
import { prepareEnv } from "../../process/env.ts";
import { credentialSteps } from "../../process/credentials.ts";
import { hostFacts } from "../../process/host-facts.ts";
import { lookPath } from "../../process/look-path.ts";
import { closeNamespaces, type NamespaceFd, openNamespaces } from "../exec/namespaces.ts";
import {
  type CgroupJoin,
  closeCgroupJoin,
  openCgroupJoin,
  parseSubCgroups,
} from "../exec/cgroup.ts";
import { execPlan } from "../exec/plan.ts";
import { withOomScoreAdj } from "../exec/oom.ts";
import { checkLsm, compileFilter, type ExecSeccomp } from "../exec/security.ts";
import { ExecListener } from "../exec/seccomp-listener.ts";
import type { State } from "../../specs/schema/state.ts";
import { openPtyIn, type Pty } from "../console/pty.ts";
import { sendToConsoleSocket } from "../console/socket.ts";
import { resolveInRoot } from "../../process/secure-path.ts";
import { type Child, spawn, SpawnError } from "../../syscalls/spawn/mod.ts";
import { withPidNamespaceForChildren } from "../../syscalls/setns.ts";
import { setNonDumpable } from "../../syscalls/process.ts";
import { pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH, openFd } from "../../syscalls/libc.ts";
import { openInRoot } from "../../process/secure-path.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { errnoMessage } from "../../syscalls/errno.ts";
import { isHostRoot } from "../caller.ts";

export interface ExecOptions {
  store: Store;
  id: string;
  request: ExecRequest;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds: number;
  ignorePaused: boolean;
  /** --cgroup arguments. */
  cgroups: string[];
  /** Prints a warning (capabilities this host cannot grant). */
  warn: (msg: string) => void;
}

interface Started {
  child: Child;
  /** The pty master a foreground exec relays to its own terminal. */
  consoleMaster?: number;
}

/** Returns the exit code: 0 once a detached process runs, else the process's own (128+N). */
export async function execContainer(o: ExecOptions): Promise<number> {
  if (o.detach) {
    await startExec(o);
    return 0;
  }
  // Listening already: a signal that arrives while the process starts is passed on to it.
  const signals = new SignalForwarder();
  let started: Started;
  try {
    started = await startExec(o);
  } catch (e) {
    signals.stop();
    throw e;
  }
  return await waitForeground(started.child, signals, started.consoleMaster);
}

async function startExec(o: ExecOptions): Promise<Started> {
  // Held while the container is looked at and its fds opened, not while the process starts: in
  // a paused container that waits for `resume`, which takes this lock too.
  const lock = o.store.lock(o.id);
  let locked = true;
  const unlock = () => {
    if (locked) lock.close();
    locked = false;
  };
  let pidfd: number | undefined;
  try {
    const c = loadContainer(o.store, o.id);
    if (c.status === "paused" && !o.ignorePaused) {
      throw new RuntimeError("cannot exec in a paused container (use --ignore-paused to override)");
    }
    if (c.status !== "paused") assertCan("exec", c.status, o.id);
    const proc = buildExecProcess(c.stored.config, o.request);
    if (!proc.args.length) throw new RuntimeError("exec args cannot be empty");
    checkTerminal(proc, o);
    checkLsm(proc);
    const seccomp = await compileFilter(c.stored.config.linux?.seccomp);
    // The pidfd pins the init: the pid cannot be reused under us.
    const pid = c.stored.pid;
    pidfd = ourPidfd(pid, c.stored.pidStart);
    if (pidfd === undefined) throw new RuntimeError("cannot exec in a stopped container");
    const target = {
      pid,
      pidfd,
      cgroup: c.cgroup(),
      paused: c.status === "paused",
      seccomp,
      state: ociState(c.stored, c.status) as State,
    };
    return await spawnInto(target, proc, o, unlock);
  } finally {
    if (pidfd !== undefined) closeFd(pidfd);
    unlock();
  }
}

function checkTerminal(proc: ExecProcess, o: ExecOptions): void {
  if (o.consoleSocket && !proc.terminal) {
    throw new RuntimeError("--console-socket needs a terminal (--tty or process.terminal)");
  }
  if (proc.terminal && !o.consoleSocket && o.detach) {
    throw new RuntimeError("a detached process with a terminal needs --console-socket");
  }
}

interface Target {
  /** The init's host pid, and a pidfd on it. */
  pid: number;
  pidfd: number;
  cgroup: CgroupManager;
  paused: boolean;
  seccomp?: ExecSeccomp;
  /** The container's OCI state, for a seccomp agent. */
  state: State;
}

async function spawnInto(
  t: Target,
  proc: ExecProcess,
  o: ExecOptions,
  unlock: () => void,
): Promise<Started> {
  const root = `/proc/${t.pid}/root`;
  const env = prepareEnv(proc.env, proc.uid, () => readInRoot(root, "/etc/passwd"));
  const path = lookPath(proc.args[0], env, { root, cwd: proc.cwd });
  const cwdFd = openCwd(root, proc.cwd);
  const namespaces = openNamespaces(t.pid);
  let join: CgroupJoin | undefined;
  let pty: Pty | undefined;
  let relayed: number | undefined;
  let listener: ExecListener | undefined;
  try {
    // Opened the namespaces of a process that was gone? Then they may not be the container's.
    if (pollIn([t.pidfd], 0).length) throw new RuntimeError("cannot exec in a stopped container");
    const credentials = credentialSteps(
      {
        ...proc,
        preserveFds: o.preserveFds,
        seccomp: t.seccomp !== undefined,
      },
      hostFacts(
        `/proc/${t.pid}/setgroups`,
        "allow",
        namespaces.some((n) => n.type === "user"),
      ),
    );
    credentials.warnings.forEach(o.warn);
    join = openCgroupJoin(t.cgroup, parseSubCgroups(o.cgroups));
    if (proc.terminal) {
      pty = openPtyIn(root, proc.consoleSize);
      if (o.consoleSocket) sendToConsoleSocket(o.consoleSocket, pty.master, pty.name);
    }
    const agent = t.seccomp?.listener;
    if (agent) listener = new ExecListener(agent.path);
    // The caller joins the pid namespace for its children, then returns to its own, where it
    // may; a rootless one may not (that needs CAP_SYS_ADMIN over the namespaces' owners: the
    // container's user namespace, and the host's to return): its child joins the user
    // namespace if any, then the pid namespace, then forks.
    const childJoinsPid = !isHostRoot();
    const pidNs = childJoinsPid ? undefined : namespaces.find((n) => n.type === "pid");
    const joinInChild = namespaces.filter((n) => n !== pidNs);
    // Before the clone: a fork child must not share the lock's file (a frozen one would keep
    // the lock until `resume`, which needs it). And before the listener's slot is reserved,
    // which must be the lowest free fd at the clone.
    unlock();
    const plan = execPlan({
      process: proc,
      path,
      env,
      namespaces: joinInChild,
      cgroupTasksFds: join.tasksFds,
      cwdFd,
      tty: pty?.slave,
      seccomp: t.seccomp,
      seccompHandoff: listener?.reserve(),
      credentials: credentials.steps,
    });
    let child: Child;
    try {
      // No vfork when the child cannot get to its execve soon (a frozen cgroup stops it there,
      // and vfork would hold tsrun until `resume`), nor for setns(CLONE_NEWTIME), which refuses
      // a caller sharing its memory.
      const vfork = !t.paused && !joinInChild.some((n) => n.type === "time");
      // Until it executes the program, the child is this process (shares or copies its memory)
      // in the container's pid namespace: non-dumpable from birth, so that no container process
      // can open its /proc/PID/exe (the host's Deno) or its memory.
      setNonDumpable();
      const go = () => spawn(plan, { vfork, cgroupFd: join!.intoFd });
      child = withOomScoreAdj(proc.oomScoreAdj, () => inPidNamespace(pidNs, go));
    } finally {
      plan.free();
      listener?.release();
    }
    try {
      await child.result();
    } catch (e) {
      await child.wait();
      if (e instanceof SpawnError) {
        throw new RuntimeError(`unable to start container process: ${e.message}`);
      }
      throw e;
    }
    if (listener) {
      try {
        listener.deliver(t.state, child.pid, agent?.metadata);
      } catch (e) {
        // Its notified syscalls would wait forever for an agent that never got the fd.
        Deno.kill(child.pid, "SIGKILL");
        await child.wait();
        throw e;
      }
    }
    if (o.pidFile) {
      try {
        writePidFile(o.pidFile, child.pid);
      } catch (e) {
        // Nobody could find it to reap or signal it: do not leave it running.
        Deno.kill(child.pid, "SIGKILL");
        await child.wait();
        throw new RuntimeError(`--pid-file ${o.pidFile}: ${(e as Error).message}`);
      }
    }
    // Without a console socket the master stays with us, for the relay.
    relayed = pty && !o.consoleSocket ? pty.master : undefined;
    return { child, consoleMaster: relayed };
  } finally {
    closeFd(cwdFd);
    closeNamespaces(namespaces);
    listener?.close();
    if (join) closeCgroupJoin(join);
    if (pty) {
      if (relayed === undefined) closeFd(pty.master);
      closeFd(pty.slave);
    }
  }
}

/** The pid namespace applies to children only: the calling thread moves for the clone. */
function inPidNamespace(ns: NamespaceFd | undefined, fn: () => Child): Child {
  return ns ? withPidNamespaceForChildren(ns.fd, fn) : fn();
}

/** The working directory, resolved by the kernel inside the container's root: no symlink or
 * /proc magic link (a leaked host fd's /proc/self/fd/N) can lead out of it. */
function openCwd(root: string, cwd: string): number {
  const rootFd = openFd(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  try {
    return openInRoot(rootFd, cwd, O_PATH | O_DIRECTORY);
  } catch (e) {
    const why = e instanceof SyscallError ? errnoMessage(e.errno).toLowerCase() : String(e);
    throw new RuntimeError(`chdir to cwd ${JSON.stringify(cwd)}: ${why}`);
  } finally {
    closeFd(rootFd);
  }
}

function readInRoot(root: string, path: string): string | undefined {
  try {
    return Deno.readTextFileSync(resolveInRoot(root, path));
  } catch {
    return undefined;
  }
}
