// `create`: namespaces, cgroup and rootfs for a new container whose init then waits for `start`
// on the exec fifo (or, for `run`, goes straight on). Any failure undoes every step taken.
import type { Config } from "../../specs/schema/config.ts";
import { Store, type StoredState } from "../state/store.ts";
import { processStart } from "../state/process.ts";
import { RuntimeError } from "../errors.ts";
import { initCommand } from "../self-exec.ts";
import { NAMESPACES, type NamespaceType } from "../namespaces.ts";
import { Channel } from "../../init/channel.ts";
import { type FromInit, INIT_PIPE_ENV, type InitRequest } from "../../init/protocol.ts";
import { runHooks } from "../../init/hooks.ts";
import { type Child, spawn, SpawnError, SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { closeFd, initSocketPair, mkfifo } from "../../syscalls/socket.ts";
import { O_CLOEXEC, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { openCgroup } from "./cgroup.ts";
import { writePidFile } from "./pid-file.ts";

export interface CreateOptions {
  id: string;
  bundle: string;
  config: Config;
  store: Store;
  pidFile?: string;
  noPivot: boolean;
  preserveFds: number;
  /** false for `run`: init does not wait on the exec fifo. */
  waitForStart: boolean;
}

export interface Created {
  state: StoredState;
  child: Child;
}

class Undo {
  #steps: (() => void)[] = [];
  push(fn: () => void): void {
    this.#steps.push(fn);
  }
  run(): void {
    for (const fn of this.#steps.reverse()) {
      try {
        fn();
      } catch { /* keep undoing the rest */ }
    }
    this.#steps = [];
  }
}

function resolveRootfs(bundle: string, config: Config): string {
  const path = config.root?.path ?? "rootfs";
  const abs = path.startsWith("/") ? path : `${bundle}/${path}`;
  try {
    return Deno.realPathSync(abs);
  } catch {
    throw new RuntimeError(`root.path ${path}: rootfs directory does not exist`);
  }
}

function idMap(maps: { containerID: number; hostID: number; size: number }[] = []): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}

export async function createContainer(opts: CreateOptions): Promise<Created> {
  const { id, bundle, config, store } = opts;
  if (!config.process) {
    throw new RuntimeError("config.json: /process: required to create a container");
  }
  const rootfs = resolveRootfs(bundle, config);
  const undo = new Undo();
  store.claim(id);
  undo.push(() => store.remove(id));
  const cleanupFds: number[] = [];
  try {
    const cgroup = openCgroup(id, config);
    undo.push(() => cgroup.destroy());

    const fifo = opts.waitForStart ? store.fifo(id) : undefined;
    if (fifo) mkfifo(fifo, 0o622);

    const [parentEnd, childEnd] = initSocketPair();
    cleanupFds.push(parentEnd, childEnd);

    const namespaces = config.linux?.namespaces ?? [];
    let flags = 0n;
    const plan = new SpawnPlan();
    const joins: { type: NamespaceType; fd: number }[] = [];
    for (const ns of namespaces) {
      const type = ns.type as NamespaceType;
      if (!ns.path) {
        flags |= NAMESPACES[type].flag;
        continue;
      }
      let fd: number;
      try {
        fd = openFd(ns.path, O_RDONLY | O_CLOEXEC);
      } catch (e) {
        throw new RuntimeError(
          `linux.namespaces: ${type} path ${ns.path}: ${(e as Error).message}`,
        );
      }
      joins.push({ type, fd });
    }
    const newUserns = (flags & NAMESPACES.user.flag) !== 0n;
    // The user namespace first: the others are then joined with its privileges.
    joins.sort((a, b) => (a.type === "user" ? -1 : b.type === "user" ? 1 : 0));
    for (const j of joins) {
      plan.step(`join ${j.type} namespace`, "setns", [j.fd, NAMESPACES[j.type].flag]);
    }
    const timeNs = (flags & NAMESPACES.time.flag) !== 0n;
    if (timeNs) {
      // A new time namespace applies from the next execve, once the parent wrote its offsets.
      flags &= ~NAMESPACES.time.flag;
      plan.step("unshare time namespace", "unshare", [NAMESPACES.time.flag]);
    }
    const needsSync = newUserns || timeNs;
    if (needsSync) {
      plan.step("wait for the parent", "read", [childEnd, plan.buffer(8), 1]);
      if (newUserns) {
        plan.step("become root in the user namespace (setresgid)", "setresgid", [0, 0, 0]);
        plan.step("become root in the user namespace (setresuid)", "setresuid", [0, 0, 0]);
      }
    }
    for (const fd of cgroup.procsFds()) {
      plan.step("join the container cgroup", "write", [fd, plan.str("0"), 1]);
    }
    const init = initCommand(`${INIT_PIPE_ENV}=${childEnd}`);
    plan.execve(init.path, init.argv, init.env, "start the container init");

    let child: Child;
    try {
      child = spawn(plan, {
        flags,
        pidfd: false,
        cgroupFd: cgroup.cloneIntoFd(),
        vfork: !needsSync,
      });
    } finally {
      plan.free();
      cgroup.closeFds();
      for (const j of joins) closeFd(j.fd);
    }
    undo.push(() => {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch { /* gone */ }
      child.waitSync();
    });
    closeFd(childEnd);
    cleanupFds.splice(cleanupFds.indexOf(childEnd), 1);

    if (needsSync) {
      if (newUserns) {
        Deno.writeTextFileSync(`/proc/${child.pid}/uid_map`, idMap(config.linux?.uidMappings));
        Deno.writeTextFileSync(`/proc/${child.pid}/gid_map`, idMap(config.linux?.gidMappings));
      }
      if (timeNs) writeTimeOffsets(child.pid, config);
      new Channel(parentEnd).sendRaw(new Uint8Array([0]));
    }
    try {
      child.resultSync();
    } catch (e) {
      if (e instanceof SpawnError) {
        throw new RuntimeError(`unable to start container process: ${e.message}`);
      }
      throw e;
    }
    const pidStart = processStart(child.pid) ?? 0;
    const state: StoredState = {
      ociVersion: config.ociVersion,
      id,
      pid: child.pid,
      pidStart,
      bundle,
      rootfs,
      created: new Date().toISOString(),
      annotations: config.annotations ?? {},
      cgroup: { cgroupsPath: cgroup.path },
      config,
    };
    const ociState = {
      ociVersion: config.ociVersion,
      id,
      status: "creating",
      pid: child.pid,
      bundle,
      annotations: state.annotations,
    };
    const channel = new Channel(parentEnd);
    const request: InitRequest = {
      type: "config",
      id,
      config,
      rootfs,
      bundle,
      fifo,
      noPivot: opts.noPivot,
      preserveFds: opts.preserveFds,
      state: ociState,
      newUserns,
      newMountns: (flags & NAMESPACES.mount.flag) !== 0n,
    };
    channel.send(request);
    for (;;) {
      const msg = channel.receive<FromInit>();
      if (!msg) throw new RuntimeError("container init exited during setup");
      if (msg.type === "error") {
        throw new RuntimeError(`unable to start container process: ${msg.message}`);
      }
      if (msg.type === "ready") break;
      try {
        await runHooks(config.hooks?.[msg.phase], ociState, msg.phase);
      } catch (e) {
        channel.send({ type: "abort", message: (e as Error).message });
        throw e;
      }
      channel.send({ type: "continue" });
    }
    store.write(state);
    if (opts.pidFile) writePidFile(opts.pidFile, child.pid);
    return { state, child };
  } catch (e) {
    undo.run();
    throw e;
  } finally {
    for (const fd of cleanupFds) closeFd(fd);
  }
}

function writeTimeOffsets(pid: number, config: Config): void {
  const offsets = (config.linux?.timeOffsets ?? {}) as Record<
    string,
    { secs?: number; nanosecs?: number }
  >;
  const lines = Object.entries(offsets).map(([clock, o]) =>
    `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}\n`
  );
  if (lines.length) Deno.writeTextFileSync(`/proc/${pid}/timens_offsets`, lines.join(""));
}
