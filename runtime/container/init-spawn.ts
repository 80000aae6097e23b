// Starting the container's init: a native spawn child enters or creates the namespaces, waits for
// the parent when a user or time namespace needs it, joins the cgroup (born in it on cgroup2; on
// v1 as root and under systemd the parent moves it in instead, see ./cgroup.ts), then executes
// the sealed `tsrun init` (see runtime/self-exec.ts) with the channel socket inherited. A new
// cgroup namespace is the init's own first step, once it is surely in its cgroup (it has its
// request then).
import { NAMESPACES } from "../namespaces.ts";
import type { NamespaceType } from "../../specs/namespaces.ts";
import { closeInitCommand, initCommand } from "../self-exec.ts";
import { RuntimeError } from "../errors.ts";
import { INIT_PIPE_ENV } from "../../init/protocol.ts";
import { type Child, spawn, SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { F_SETFD, O_CLOEXEC, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { withPidNamespaceForChildren } from "../../syscalls/setns.ts";
import { PR, setNonDumpable } from "../../syscalls/process.ts";
import { SIGKILL } from "../signals.ts";
import type { ContainerCgroup } from "./cgroup.ts";
import { type CgroupJoin, closeCgroupJoin } from "../exec/cgroup.ts";
import { isHostRoot } from "../caller.ts";

export interface NamespaceRequest {
  type: NamespaceType;
  path?: string;
}

export interface InitChild {
  child: Child;
  /** The child waits on the channel for one byte: after uid/gid maps or time offsets. */
  needsSync: boolean;
  newUserns: boolean;
  newTimens: boolean;
  /** The init unshares it itself (see above). */
  newCgroupns: boolean;
  /** The spawn child forks the init: `child.pid` is the init's only after its result. */
  forks: boolean;
}

/**
 * `stdio`, when given, becomes the init's fds 0-2 instead of the caller's (which a terminal
 * container has no use for, see create.ts).
 */
export async function spawnInit(
  namespaces: readonly NamespaceRequest[],
  cgroup: ContainerCgroup,
  makeCgroup: () => void,
  channel: { childEnd: number; parentEnd: number },
  stdio?: readonly [number, number, number],
): Promise<InitChild> {
  const channelFd = channel.childEnd;
  let flags = 0n;
  const joins: { type: NamespaceType; fd: number }[] = [];
  const plan = new SpawnPlan();
  let join: CgroupJoin | undefined;
  // The child's copy of the parent's end would keep the channel open: with it closed, the
  // parent's death (a killed create) is EOF to the child and the init, and both end.
  plan.step("close the parent's end of the channel", "close", [channel.parentEnd]);
  try {
    for (const ns of namespaces) {
      if (!ns.path) {
        flags |= NAMESPACES[ns.type].flag;
        continue;
      }
      try {
        joins.push({ type: ns.type, fd: openFd(ns.path, O_RDONLY | O_CLOEXEC) });
      } catch (e) {
        throw new RuntimeError(`linux.namespaces: ${ns.type} ${ns.path}: ${(e as Error).message}`);
      }
    }
    // The user namespace first: the others are then joined with its privileges. A pid
    // namespace only applies to children, and the init (Deno) could not start its threads after
    // joining one itself: this thread clones straight into it instead (see below), or, when it
    // could not return to its own (rootless, as in exec.ts), the child joins it last and forks.
    joins.sort((a, b) => (a.type === "user" ? -1 : b.type === "user" ? 1 : 0));
    const pidJoin = joins.find((j) => j.type === "pid");
    const childJoinsPid = pidJoin !== undefined && !isHostRoot();
    for (const j of joins) {
      if (j === pidJoin) continue;
      plan.step(`join ${j.type} namespace ${j.fd}`, "setns", [j.fd, NAMESPACES[j.type].flag]);
    }
    // Joining a user namespace, the child becomes its root (the capabilities setns gave would be
    // lost at execve by a uid it does not map to root), and the new namespaces are made from
    // inside it, as runc does: they belong to the user namespace that makes them (the
    // container's root must own its mount namespace to mount), and a rootless caller may make
    // none outside it. A new pid namespace made so takes in only the next child: a fork.
    const joinsUser = joins.some((j) => j.type === "user");
    if (joinsUser) becomeRoot(plan);
    const madeInside = joinsUser ? flags & ~(NAMESPACES.time.flag | NAMESPACES.cgroup.flag) : 0n;
    if (madeInside) {
      flags &= ~madeInside;
      plan.step("unshare the new namespaces", "unshare", [madeInside]);
    }
    if (childJoinsPid) {
      plan.step(`join pid namespace ${pidJoin.fd}`, "setns", [pidJoin.fd, NAMESPACES.pid.flag]);
    }
    const forks = childJoinsPid || (madeInside & NAMESPACES.pid.flag) !== 0n;
    const newUserns = (flags & NAMESPACES.user.flag) !== 0n;
    if (childJoinsPid && newUserns) {
      // The child would be in its new user namespace when joining, with no privilege over the
      // pid namespace's owner (runc joins first, then unshares the user namespace).
      const path = namespaces.find((n) => n.type === "pid")?.path;
      throw new RuntimeError(
        `linux.namespaces: pid ${path}: a rootless container making its own user namespace ` +
          "cannot join a pid namespace; join the user namespace that owns it as well",
      );
    }
    const newTimens = (flags & NAMESPACES.time.flag) !== 0n;
    if (newTimens) {
      // A new time namespace applies from the next execve, once the parent wrote its offsets.
      flags &= ~NAMESPACES.time.flag;
      plan.step("unshare time namespace", "unshare", [NAMESPACES.time.flag]);
    }
    const needsSync = newUserns || newTimens;
    // An unprivileged parent writes the maps of a new user namespace only into a dumpable
    // child's /proc files (a non-dumpable one's belong to root). The child is born non-dumpable
    // (see below) and is dumpable only from its first step until the parent's go-ahead: no
    // container process is in its new pid and user namespaces yet, and from the host's only
    // processes with the caller's uid may ptrace it, which can ptrace all of the caller's
    // processes anyway (the Deno it is a copy of is not the caller's to write either). In the
    // host's pid namespace another container's process could: it stays non-dumpable there, and
    // the maps write fails (create says so).
    const dumpableWindow = newUserns && Deno.uid() !== 0 && (flags & NAMESPACES.pid.flag) !== 0n;
    if (dumpableWindow) {
      plan.step("be dumpable until the uid maps are written", "prctl", [PR.SET_DUMPABLE, 1]);
    }
    if (needsSync) {
      plan.step("wait for the parent", "read", [channelFd, plan.buffer(8), 1]);
      if (dumpableWindow) plan.step("become non-dumpable", "prctl", [PR.SET_DUMPABLE, 0]);
      if (newUserns) becomeRoot(plan);
    }
    // Past the parent's go-ahead, so that it wrote the maps and offsets of the process it knows,
    // and before the cgroup joins, so that the fork is what joins.
    if (forks) plan.fork("fork into the pid namespace");
    join = cgroup.openJoin(forks, makeCgroup);
    for (const fd of join.tasksFds) {
      plan.step("join the container cgroup", "write", [fd, plan.str("0"), 1]);
    }
    // Rooted where the process is when it is made: in the init's own cgroup, so not at clone.
    const newCgroupns = (flags & NAMESPACES.cgroup.flag) !== 0n;
    flags &= ~NAMESPACES.cgroup.flag;
    stdio?.forEach((from, fd) => plan.step(`stdio ${fd}`, "dup3", [from, fd, 0]));
    const init = await initCommand(`${INIT_PIPE_ENV}=${channelFd}`);
    try {
      for (const fd of init.inherit) {
        plan.step("pass the init its sealed code", "fcntl", [fd, F_SETFD, 0]);
      }
      // Until its cgroup surely holds it, where `delete --force` finds it (the parent may move it
      // in after the spawn), the init dies with the parent; it drops this once it has its request.
      plan.step("die with the parent", "prctl", [PR.SET_PDEATHSIG, SIGKILL]);
      plan.execveat(init.exe, init.argv, init.env, "start the container init");
      // The child is a copy of this process until it executes the init, and may be born in a
      // pid namespace the container's processes share: non-dumpable from the start, so that
      // none of them can open its /proc/PID/exe (the host's Deno) or its memory.
      setNonDumpable();
      // vfork semantics where the child's work before its exec is short (no wait for this
      // process, no fork): no copy of this process's page tables, nor the copy-on-write faults
      // validation would take meanwhile (~3 ms). Otherwise fork semantics: the child's work runs
      // on the other core while this thread goes on validating.
      const vfork = !needsSync && !forks;
      const start = () => spawn(plan, { flags, cgroupFd: join!.intoFd, vfork });
      const child = pidJoin && !childJoinsPid
        ? withPidNamespaceForChildren(pidJoin.fd, start)
        : start();
      return { child, needsSync, newUserns, newTimens, newCgroupns, forks };
    } finally {
      closeInitCommand(init);
    }
  } finally {
    plan.free();
    if (join) closeCgroupJoin(join);
    for (const j of joins) closeFd(j.fd);
  }
}

function becomeRoot(plan: SpawnPlan): void {
  plan.step("become root in the user namespace (setresgid)", "setresgid", [0, 0, 0]);
  plan.step("become root in the user namespace (setresuid)", "setresuid", [0, 0, 0]);
}

/** The namespaces of a config not validated yet, or undefined when they are malformed. */
export function peekNamespaces(raw: unknown): NamespaceRequest[] | undefined {
  const list = (raw as { linux?: { namespaces?: unknown } })?.linux?.namespaces ?? [];
  if (!Array.isArray(list)) return undefined;
  const out: NamespaceRequest[] = [];
  for (const ns of list) {
    if (typeof ns?.type !== "string" || !Object.hasOwn(NAMESPACES, ns.type)) return undefined;
    // A Go-style null path is absent, as validation treats it.
    if (ns.path != null && typeof ns.path !== "string") return undefined;
    out.push({ type: ns.type as NamespaceType, path: ns.path || undefined });
  }
  return out;
}
