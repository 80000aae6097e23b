// `delete`: only a stopped container, unless forced (then it is killed first); removes the
// cgroup and the state, then runs the poststop hooks.
import type { Config } from "../../specs/schema/config.ts";
import { type Store, UnusableState } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { loadContainer } from "./load.ts";
import { ociState } from "./inspect.ts";
import { runHooksWarn } from "../../process/hooks.ts";
import { pidfdOpen, pidfdSendSignal, pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";
import { cgroupOfProcess, reopenCgroup } from "../cgroups/mod.ts";
import { isOurProcess } from "../state/process.ts";
import { SIGKILL } from "../signals.ts";
import { MNT_DETACH, umount2 } from "../../syscalls/mount.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { EINVAL, ENOENT } from "../../syscalls/errno.ts";

function killAndWait(pid: number, id: string): void {
  let fd: number;
  try {
    fd = pidfdOpen(pid);
  } catch {
    return; // already gone
  }
  try {
    pidfdSendSignal(fd, SIGKILL, pid);
    if (pollIn([fd], 10_000).length === 0) {
      throw new RuntimeError(`container ${id}: init ${pid} did not die after SIGKILL`);
    }
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
  } finally {
    closeFd(fd);
  }
}

function ownsPidNamespace(config: Config): boolean {
  return (config.linux?.namespaces ?? []).some((n) => n.type === "pid" && !n.path);
}

export async function deleteContainer(
  store: Store,
  id: string,
  force: boolean,
  warn: (m: string) => void,
): Promise<void> {
  // Waits for a create still running; once held, what the directory holds no longer changes.
  store.lock(id);
  let c;
  try {
    c = loadContainer(store, id);
  } catch (e) {
    if (!force || !(e instanceof UnusableState)) throw e;
    removeRemnants(store, id, warn);
    return;
  }
  if (c.status !== "stopped") {
    if (!force) assertCan("delete", c.status, id);
    try {
      c.cgroup().killAll(SIGKILL);
    } catch { /* the init's own kill below is what matters */ }
    if (c.status === "paused") c.cgroup().thaw();
    killAndWait(c.stored.pid, id);
  }
  if (!ownsPidNamespace(c.stored.config)) {
    // The init's death did not take its children along (it was not their namespace's init):
    // as runc, kill what is left, or the cgroup cannot be removed.
    c.cgroup().killAll(SIGKILL);
  }
  c.cgroup().destroy();
  unmountRuntime(store, id, warn);
  store.remove(id);
  await runHooksWarn(
    c.stored.config.hooks?.poststop,
    ociState(c.stored, "stopped"),
    "poststop",
    warn,
  );
}

/**
 * `delete --force` of a container without a usable state (create killed before it wrote one, a
 * torn state.json): kills its init when a state still names it and everything in the cgroup
 * recorded at claim, then removes the cgroup and the directory. The config is lost with the
 * state, so no poststop hook runs.
 */
function removeRemnants(store: Store, id: string, warn: (m: string) => void): void {
  const left = store.remnants(id);
  const init = left.init && isOurProcess(left.init.pid, left.init.start) ? left.init.pid : 0;
  // Without a record, the cgroup the init is in (read before it dies).
  const cgroup = left.cgroup
    ? reopenCgroup(id, left.cgroup, { initPid: init })
    : init
    ? cgroupOfProcess(id, init)
    : undefined;
  if (init) killAndWait(init, id);
  if (cgroup?.exists()) cgroup.killAll(SIGKILL);
  cgroup?.destroy();
  unmountRuntime(store, id, warn);
  store.remove(id);
}

/**
 * The host mounts of LinuxKit's runtime.json, last first. Its bindNS mounts are not among them:
 * they are there for other containers to join, so they outlive this one.
 */
function unmountRuntime(store: Store, id: string, warn: (m: string) => void): void {
  for (const path of store.runtimeMounts(id).reverse()) {
    try {
      umount2(path, MNT_DETACH);
    } catch (e) {
      // Already unmounted (by hand, or a create killed between mounting and recording).
      const gone = e instanceof SyscallError && (e.errno === EINVAL || e.errno === ENOENT);
      if (!gone) warn(`runtime.json mount ${path}: ${(e as Error).message}`);
    }
  }
}
