// Runs a runtime.json plan (plan.ts) for `create`: thin code, one call per step, each step's
// undo pushed as soon as it is done (create runs them in reverse on any failure). A failing
// step is one error naming its runtime.json field. The mounts are recorded in the container's
// state as they are made, so `delete` (even of a killed create) unmounts them.
import { checks } from "../parts.ts";
import { RUNTIME_JSON } from "../../specs/runtime-json-file.ts";
import { firstError } from "../../specs/problem.ts";
import { RuntimeError } from "../errors.ts";
import type { Store } from "../state/store.ts";
import { detect } from "../cgroups/detect.ts";
import { type Place, planRuntime, type RuntimePlan, type Step } from "./plan.ts";
import { unmount } from "./unmount.ts";
import { mount, MS } from "../../syscalls/mount.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { RtNetlink } from "../../syscalls/netlink.ts";
import { fdPath, mkdirAllInRoot } from "../../process/secure-path.ts";
import { dirname } from "../path.ts";
import { exists } from "../../process/exists.ts";

export interface Undo {
  push(fn: () => void): void;
}

export interface PrepareOptions {
  id: string;
  bundle: string;
  store: Store;
  undo: Undo;
  /** Whether config.json gives the container a network namespace, when known. */
  networkNamespace?: boolean;
}

/** What is left to do once the init exists. */
export interface PreparedRuntime {
  afterInit(pid: number): void;
}

/**
 * Reads and checks <bundle>/runtime.json, then does what comes before the container's
 * namespaces: mounts, mkdir, cgroups.
 */
export async function prepareRuntime(opts: PrepareOptions): Promise<PreparedRuntime> {
  const { loadRuntimeJson } = await checks();
  const loaded = loadRuntimeJson(opts.bundle, { networkNamespace: opts.networkNamespace }) ??
    { runtime: {}, problems: [] }; // removed since create looked: nothing to do
  if (!loaded.runtime) throw new RuntimeError(firstError(RUNTIME_JSON, loaded.problems));
  const r = loaded.runtime;
  const plan: RuntimePlan = planRuntime(r, {
    rootfs: `${opts.bundle}/rootfs`,
    cgroupRoots: r.cgroups?.length ? cgroupRoots() : [],
  });
  const made: Place[] = [];
  const ctx: StepContext = {
    undo: opts.undo,
    recordMount(place) {
      made.push(place);
      opts.store.recordRuntimeMounts(opts.id, made);
    },
  };
  for (const step of plan.before) run(step, ctx);
  return {
    afterInit(pid) {
      if (plan.after.length === 0) return;
      const links = plan.after.some((s) => s.do === "add-link" || s.do === "move-link");
      const netns = links ? openFd(`/proc/${pid}/ns/net`, O_RDONLY | O_CLOEXEC) : -1;
      try {
        for (const step of plan.after) run(step, { ...ctx, pid, netns });
      } finally {
        if (netns >= 0) closeFd(netns);
      }
    },
  };
}

/** Every hierarchy a runtime.json cgroup is made in: each v1 one (and cgroup2 on a hybrid). */
function cgroupRoots(): string[] {
  const host = detect();
  return [...host.v1.map((h) => h.mountpoint), ...host.unified ? [host.unified.mountpoint] : []];
}

interface StepContext {
  undo: Undo;
  recordMount(place: Place): void;
  pid?: number;
  netns?: number;
}

function run(step: Step, ctx: StepContext): void {
  try {
    STEPS[step.do](step as never, ctx);
  } catch (e) {
    throw new RuntimeError(`${RUNTIME_JSON}: ${step.field}: ${(e as Error).message}`);
  }
}

type Runner<K extends Step["do"]> = (step: Extract<Step, { do: K }>, ctx: StepContext) => void;

const STEPS: { [K in Step["do"]]: Runner<K> } = {
  mount(step, ctx) {
    for (const dir of step.dirs) Deno.mkdirSync(dir, { recursive: true, mode: 0o755 });
    withDir(step.target, (target) => {
      try {
        mount(step.source, target, step.type || null, step.flags, step.data);
      } catch (e) {
        // Named by where it goes, not by the /proc/self/fd path it was mounted through.
        if (!(e instanceof SyscallError)) throw e;
        throw new SyscallError("mount", e.errno, (step.target.root ?? "") + step.target.path);
      }
      if (!step.makesMount) return;
      ctx.recordMount(step.target);
      ctx.undo.push(() => unmount(step.target));
    });
  },
  mkdir(step) {
    withDir(step.dir, () => {});
  },
  cgroup(step, ctx) {
    for (const dir of step.dirs) mkdirUndoably(dir, ctx.undo);
  },
  "add-link"(step, ctx) {
    const { name, kind, peer } = step;
    const deleteInside = () => netlinkIn(ctx.pid!, (nl) => nl.deleteLink(name));
    if (!step.inRoot) {
      netlink((nl) => nl.newLink({ name, kind, netnsFd: ctx.netns }));
      ctx.undo.push(deleteInside);
      return;
    }
    netlink((nl) => nl.newLink({ name, kind, peer }));
    // Deleted where it is: here until it is moved, then in the container (a veth's peer, left
    // here, goes with it).
    let moved = false;
    ctx.undo.push(() => moved ? deleteInside() : netlink((nl) => nl.deleteLink(name)));
    netlink((nl) => nl.moveLink(name, ctx.netns!));
    moved = true;
  },
  "move-link"(step, ctx) {
    netlink((nl) => nl.moveLink(step.name, ctx.netns!));
    // Moved back, not left to go with the container's namespace: it is the host's link.
    ctx.undo.push(() => {
      const root = openFd("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
      try {
        netlinkIn(ctx.pid!, (nl) => nl.moveLink(step.name, root));
      } finally {
        closeFd(root);
      }
    });
  },
  "bind-ns"(step, ctx) {
    mkdirUndoably(dirname(step.path), ctx.undo);
    const created = !exists(step.path, false);
    if (created) Deno.writeFileSync(step.path, new Uint8Array(), { mode: 0o644 });
    try {
      mount(`/proc/${ctx.pid}/ns/${step.ns}`, step.path, null, MS.BIND, null);
    } catch (e) {
      if (created) Deno.removeSync(step.path);
      throw e;
    }
    ctx.undo.push(() => {
      unmount({ path: step.path });
      if (created) Deno.removeSync(step.path);
    });
  },
};

/**
 * Creates the directory `place` names and runs `fn` on a path to it: inside the rootfs, an fd's
 * /proc path (resolved there, so a symlink in the image cannot lead out of it).
 */
function withDir(place: Place, fn: (target: string) => void): void {
  if (place.root === undefined) {
    Deno.mkdirSync(place.path, { recursive: true, mode: 0o755 });
    return fn(place.path);
  }
  const root = openFd(place.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  let dir = -1;
  try {
    dir = mkdirAllInRoot(root, place.path);
    fn(fdPath(dir));
  } finally {
    if (dir >= 0) closeFd(dir);
    closeFd(root);
  }
}

/** `mkdir -p`, each missing level undone on its own: a failed create removes only those. */
function mkdirUndoably(dir: string, undo: Undo): void {
  const missing: string[] = [];
  for (let d = dir; !exists(d, false); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    Deno.mkdirSync(d, { mode: 0o755 });
    undo.push(() => Deno.removeSync(d));
  }
}

/** `fn` on an rtnetlink socket in this network namespace, or in the one open at `netnsFd`. */
function netlink(fn: (nl: RtNetlink) => void, netnsFd?: number): void {
  const nl = new RtNetlink(netnsFd);
  try {
    fn(nl);
  } finally {
    nl.close();
  }
}

/** `fn` on an rtnetlink socket in the network namespace of process `pid` (the container's). */
function netlinkIn(pid: number, fn: (nl: RtNetlink) => void): void {
  const netns = openFd(`/proc/${pid}/ns/net`, O_RDONLY | O_CLOEXEC);
  try {
    netlink(fn, netns);
  } finally {
    closeFd(netns);
  }
}
