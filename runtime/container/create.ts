// `create`: namespaces, cgroup and rootfs for a new container whose init then waits for `start`
// on the exec fifo (or, for `run`, goes straight on). Any failure undoes every step taken.
//
// The init is a second Deno start (~25 ms), so it is spawned as soon as the namespaces and the
// cgroup directory are known from the raw config.json, and boots on the other core while this
// process loads the schemas and validates the config. An invalid config then kills it again.
import type { Config } from "../../specs/schema/config.ts";
import { Store, type StoredState, validateId } from "../state/store.ts";
import { processStart } from "../state/process.ts";
import { RuntimeError } from "../errors.ts";
import { Channel } from "../../init/channel.ts";
import type { FromInit, InitRequest } from "../../init/protocol.ts";
import { runHooks } from "../hooks.ts";
import { SpawnError } from "../../syscalls/spawn/mod.ts";
import type { Child } from "../../syscalls/spawn/mod.ts";
import { closeFd, initSocketPair, mkfifo } from "../../syscalls/socket.ts";
import { connectUnix } from "../../syscalls/fdpass.ts";
import { O_CLOEXEC, O_PATH, O_RDWR, openFd, setCloexec } from "../../syscalls/libc.ts";
import { openCgroup } from "./cgroup.ts";
import { writePidFile } from "./pid-file.ts";
import { writeIdMaps } from "./id-maps.ts";
import { type InitChild, peekNamespaces, spawnInit } from "./init-spawn.ts";
import { addMarks, mark, tracing } from "../../process/trace.ts";
import { hasRuntimeJson } from "../../specs/runtime-json-file.ts";
import { compileFilter } from "../exec/security.ts";
import { linuxkit as linuxkitPart } from "../parts.ts";

export interface CreateOptions {
  id: string;
  bundle: string;
  /**
   * Validates <bundle>/config.json, already read as `text` and parsed as `raw` when create could
   * (else read it again to report why not); throws a one-line error when invalid.
   */
  loadConfig(bundle: string, raw?: Record<string, unknown>, text?: string): Promise<Config>;
  store: Store;
  pidFile?: string;
  /** AF_UNIX socket path that receives the pty master (process.terminal). */
  consoleSocket?: string;
  /** A foreground `run` relays a terminal itself; a detached container needs a console socket. */
  detached: boolean;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
  /** false for `run`: init does not wait on the exec fifo. */
  waitForStart: boolean;
  /** --rootless: a container without limits may go on without a cgroup the caller cannot make. */
  rootless: boolean;
  /** --systemd-cgroup: the cgroup is a systemd scope unit (cgroupsPath "slice:prefix:name"). */
  systemdCgroup?: boolean;
  /** An fd that becomes the init's stdout and stderr (stdin /dev/null) instead of the caller's. */
  output?: number;
}

export interface Created {
  state: StoredState;
  child: Child;
  /** The pty master when a foreground `run` has a terminal and no console socket. */
  consoleMaster?: number;
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

/**
 * config.json parsed without validation, with its text, or undefined when it is not a regular
 * file of sane size holding a JSON object (validation then reads it and says what is wrong).
 */
function peekConfig(bundle: string): { raw: Record<string, unknown>; text: string } | undefined {
  const path = `${bundle}/config.json`;
  try {
    // stat first: reading a FIFO would block, a device might never end.
    const st = Deno.statSync(path);
    if (!st.isFile || st.size > MAX_CONFIG_BYTES) return undefined;
    const text = Deno.readTextFileSync(path);
    const raw = JSON.parse(text);
    return raw && typeof raw === "object" && !Array.isArray(raw) ? { raw, text } : undefined;
  } catch {
    return undefined;
  }
}

/** Far above any real config; what validation itself accepts (specs/json-file.ts). */
const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

export async function createContainer(opts: CreateOptions): Promise<Created> {
  const { id, bundle, store } = opts;
  const peeked = peekConfig(bundle);
  const raw = peeked?.raw;
  const early = raw && peekNamespaces(raw);
  // A config too broken to read is reported by validation before anything is made.
  let config = early ? undefined : await opts.loadConfig(bundle, raw, peeked?.text);
  validateId(id);
  const cgroupsPath = (config ?? raw as Config).linux?.cgroupsPath;
  const cgroup = await openCgroup(
    id,
    typeof cgroupsPath === "string" ? cgroupsPath : undefined,
    opts.rootless,
    opts.systemdCgroup === true,
  );
  const undo = new Undo();
  // Held until this returns: a `delete` meanwhile waits, and finds complete remnants if this
  // process is killed (the cgroup is recorded with the claim, before it exists).
  const lock = store.claim(id, cgroup.record);
  undo.push(() => store.remove(id));
  const [parentEnd, childEnd] = initSocketPair();
  const fds = [parentEnd, childEnd];
  try {
    const namespaces = early ?? peekNamespaces(config)!;
    // LinuxKit's runtime.json: its mounts, directories and cgroups come before the namespaces.
    // Its code is loaded only for a bundle that has one.
    const linuxkit = hasRuntimeJson(bundle)
      ? await (await linuxkitPart()).prepareRuntime({
        id,
        bundle,
        store,
        undo,
        networkNamespace: namespaces.some((n) => n.type === "network"),
      })
      : undefined;
    // Connected before the spawn so the init inherits it.
    const consoleSocket = opts.consoleSocket === undefined
      ? undefined
      : inheritable(connectConsole(opts.consoleSocket));
    if (consoleSocket !== undefined) fds.push(consoleSocket);
    // The init installs a NOTIFY filter past the root switch, where listenerPath is out of reach.
    const listenerPath = notifyListenerPath(config ?? raw as Config);
    const seccompListener = listenerPath === undefined
      ? undefined
      : inheritable(connectListener(listenerPath));
    if (seccompListener !== undefined) fds.push(seccompListener);
    // A terminal container's init gets /dev/null, not the caller's stdio, until the pty takes
    // over: the containerd shim reads create's output to EOF, which never came while the init
    // held it waiting for start (runc's init does not hold it either).
    const devNull = consoleSocket === undefined && opts.output === undefined
      ? undefined
      : openFd("/dev/null", O_RDWR | O_CLOEXEC);
    if (devNull !== undefined) fds.push(devNull);
    const stdio = devNull === undefined
      ? undefined
      : [devNull, opts.output ?? devNull, opts.output ?? devNull] as const;
    undo.push(() => cgroup.destroy());
    const makeCgroup = () => {
      if (cgroup.create((config ?? raw as Config).linux?.resources)) {
        store.recordCgroup(id, cgroup.record);
      }
      mark("cgroup made");
    };
    const init: InitChild = await spawnInit(
      namespaces,
      cgroup,
      makeCgroup,
      { childEnd, parentEnd },
      stdio,
    );
    const child = init.child;
    mark("init spawned");
    undo.push(() => {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch { /* gone */ }
      child.waitSync();
    });
    // Where the spawn child did not join (systemd's scope, v1 as root, whose directories are
    // made only now), the init is moved in while the config is validated; a forked init only
    // once its pid is known.
    const placed = init.forks ? () => Promise.resolve() : cgroup.join(child.pid);
    closeFd(childEnd);
    fds.splice(fds.indexOf(childEnd), 1);

    config ??= await opts.loadConfig(bundle, raw, peeked?.text);
    mark("config validated");
    if (!config.process) {
      throw new RuntimeError("config.json: /process: required to create a container");
    }
    checkTerminal(config, opts);
    const rootfs = resolveRootfs(bundle, config);
    const seccomp = await compileFilter(config.linux?.seccomp);
    await placed();
    cgroup.prepare(config.linux?.resources);
    // The init gets the fifo as a descriptor: its path may be out of its reach (a 0700 state
    // root seen from a user namespace).
    let fifoFd: number | undefined;
    if (opts.waitForStart) {
      const fifo = store.fifo(id);
      mkfifo(fifo, 0o622);
      fifoFd = openFd(fifo, O_PATH | O_CLOEXEC);
      fds.push(fifoFd);
    }

    const channel = new Channel(parentEnd);
    if (init.needsSync) {
      try {
        if (init.newUserns) await writeIdMaps(child.pid, config);
        if (init.newTimens) writeTimeOffsets(child.pid, config);
        channel.sendRaw(new Uint8Array([0]));
      } catch (e) {
        // A child that failed a step before waiting is gone (EPIPE, ESRCH): its own error says
        // why. Either way create fails, so it is killed first: a waiting one never reports.
        try {
          Deno.kill(child.pid, "SIGKILL");
        } catch { /* gone */ }
        spawnResult(child);
        throw e;
      }
    }
    spawnResult(child);
    if (init.forks) await cgroup.join(child.pid)();
    const state: StoredState = {
      ociVersion: config.ociVersion,
      id,
      pid: child.pid,
      pidStart: processStart(child.pid) ?? 0,
      bundle,
      rootfs,
      created: new Date().toISOString(),
      annotations: config.annotations ?? {},
      cgroup: cgroup.record,
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
    const request: InitRequest = {
      type: "config",
      id,
      config,
      rootfs,
      bundle,
      fifo: fifoFd !== undefined,
      noPivot: opts.noPivot,
      noNewKeyring: opts.noNewKeyring,
      preserveFds: opts.preserveFds,
      state: ociState,
      newUserns: init.newUserns,
      newCgroupns: init.newCgroupns,
      consoleSocket,
      seccompListener,
      seccomp: seccomp && {
        filter: btoa(Array.from(seccomp.filter, (b) => String.fromCharCode(b)).join("")),
        flags: seccomp.flags,
        listener: seccomp.listener !== undefined,
      },
      trace: tracing(),
    };
    let consoleMaster: number | undefined;
    mark("request sent");
    if (fifoFd === undefined) channel.send(request);
    else channel.sendWithFd(request, fifoFd);
    for (;;) {
      const msg = channel.receive<FromInit>();
      if (!msg) throw new RuntimeError("container init exited during setup");
      if (msg.type === "error") {
        throw new RuntimeError(`unable to start container process: ${msg.message}`);
      }
      if (msg.type === "ready") {
        addMarks(msg.marks);
        break;
      }
      if (msg.type === "console") {
        consoleMaster = channel.fds.shift();
        continue;
      }
      try {
        await runHooks(config.hooks?.[msg.phase], ociState, msg.phase);
      } catch (e) {
        channel.send({ type: "abort", message: (e as Error).message });
        throw e;
      }
      channel.send({ type: "continue" });
    }
    // LinuxKit's interfaces and namespace binds, once the init's namespaces exist.
    linuxkit?.afterInit(child.pid);
    // Limits only now, as runc applies them at its init's "ready": a tiny pids or memory limit
    // bounds the container's process, and must not starve the init's own start and setup.
    cgroup.apply(config.linux?.resources);
    store.write(state);
    if (opts.pidFile) writePidFile(opts.pidFile, child.pid);
    channel.send({ type: "continue" });
    if (!opts.waitForStart) awaitExec(channel);
    return { state, child, consoleMaster };
  } catch (e) {
    undo.run();
    throw e;
  } finally {
    for (const fd of fds) closeFd(fd);
    lock.close();
  }
}

/** Waits until the spawn child exec'd the init; its failed step as create's error. */
function spawnResult(child: Child): void {
  try {
    child.resultSync();
  } catch (e) {
    if (e instanceof SpawnError) {
      throw new RuntimeError(`unable to start container process: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Without an exec fifo the init keeps the channel (close-on-exec) until it executes the
 * process: `run` returns only then, so a signal sent after it reaches the container's process,
 * never the init.
 */
function awaitExec(channel: Channel): void {
  const msg = channel.receive<FromInit>();
  if (msg?.type === "error") {
    throw new RuntimeError(`unable to start container process: ${msg.message}`);
  }
}

function checkTerminal(config: Config, opts: CreateOptions): void {
  const terminal = config.process?.terminal === true;
  if (terminal && opts.detached && opts.consoleSocket === undefined) {
    throw new RuntimeError(
      "cannot allocate a tty for a detached container without --console-socket",
    );
  }
  if (!terminal && opts.consoleSocket !== undefined) {
    throw new RuntimeError("--console-socket needs process.terminal: true in config.json");
  }
}

function connectConsole(path: string): number {
  try {
    return connectUnix(path);
  } catch (e) {
    throw new RuntimeError(`--console-socket ${path}: ${(e as Error).message}`);
  }
}

/** linux.seccomp.listenerPath when a rule uses SCMP_ACT_NOTIFY (config may be unvalidated). */
function notifyListenerPath(config: Config): string | undefined {
  const s = config.linux?.seccomp;
  const rules: unknown[] = Array.isArray(s?.syscalls) ? s.syscalls : [];
  const notifies = rules.some((r) => (r as { action?: unknown })?.action === "SCMP_ACT_NOTIFY");
  return notifies && typeof s?.listenerPath === "string" ? s.listenerPath : undefined;
}

function connectListener(path: string): number {
  try {
    return connectUnix(path);
  } catch (e) {
    throw new RuntimeError(`linux.seccomp.listenerPath ${path}: ${(e as Error).message}`);
  }
}

/** Clears O_CLOEXEC so the fd survives into the init. */
function inheritable(fd: number): number {
  setCloexec(fd, false, "inherited socket");
  return fd;
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
