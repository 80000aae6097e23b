// `delete`: only a stopped container, unless forced (then it is killed first); removes the
// cgroup and the state, then runs the poststop hooks.
import type { Config } from "../../specs/schema/config.ts";
import { type Store, UnusableState } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { inspectContainer, liveInitPid, ociState } from "./inspect.ts";
import { runHooksWarn } from "../hooks.ts";
import { pidfdSendSignal, pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";
import type { CgroupRecord } from "../cgroups/mod.ts";
import { removeTrees } from "../cgroups/files.ts";
import { cgroups } from "../parts.ts";
import { isOurProcess, ourPidfd } from "../state/process.ts";
import { SIGKILL } from "../signals.ts";

function killAndWait(pid: number, start: number, id: string): void {
  const fd = ourPidfd(pid, start);
  if (fd === undefined) return; // already gone
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

/**
 * The directories of a cgroup that only needs them removed, as its manager's destroy() would:
 * none for a rootless container without one; undefined for a systemd unit (systemd must be
 * told) or a record the manager should judge (it names what is wrong with it).
 */
function plainDirs(record: CgroupRecord): string[] | undefined {
  if (typeof record?.paths !== "object" || record.paths === null || record.systemd) return;
  if (record.none === true) return [];
  const dirs = Object.values(record.paths);
  return dirs.every((d) => typeof d === "string" && d.startsWith("/")) ? dirs : undefined;
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
    c = inspectContainer(store, id);
  } catch (e) {
    if (!force || !(e instanceof UnusableState)) throw e;
    await removeRemnants(store, id, warn);
    return;
  }
  if (c.status !== "stopped" && !force) assertCan("delete", c.status, id);
  const record = c.stored.cgroup;
  const owns = ownsPidNamespace(c.stored.config);
  // Stopped, nothing is left in the cgroup (its processes died with the pid namespace's init):
  // only the directories the state names go, without a manager (a part) or the host's mounts.
  const dirs = c.status === "stopped" && owns ? plainDirs(record) : undefined;
  if (dirs) removeTrees(dirs);
  else {
    const { reopenDriver } = await cgroups();
    const cgroup = await reopenDriver(id, record, { initPid: liveInitPid(c) });
    if (c.status !== "stopped") {
      try {
        cgroup.killAll(SIGKILL);
      } catch { /* the init's own kill below is what matters */ }
      if (c.status === "paused") cgroup.thaw();
      killAndWait(c.stored.pid, c.stored.pidStart, id);
    }
    if (!owns) {
      // The init's death did not take its children along (it was not their namespace's init):
      // as runc, kill what is left, or the cgroup cannot be removed.
      cgroup.killAll(SIGKILL);
    }
    cgroup.destroy();
  }
  await unmountRuntime(store, id, warn);
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
async function removeRemnants(
  store: Store,
  id: string,
  warn: (m: string) => void,
): Promise<void> {
  const left = store.remnants(id);
  const init = left.init && isOurProcess(left.init.pid, left.init.start) ? left.init : undefined;
  // Without a record, the cgroup the init is in (read before it dies).
  const { cgroupOfProcess, reopenDriver } = await cgroups();
  const cgroup = left.cgroup
    ? await reopenDriver(id, left.cgroup, { initPid: init?.pid ?? 0 })
    : init
    ? cgroupOfProcess(id, init.pid)
    : undefined;
  if (init) killAndWait(init.pid, init.start, id);
  if (cgroup?.exists()) cgroup.killAll(SIGKILL);
  cgroup?.destroy();
  await unmountRuntime(store, id, warn);
  store.remove(id);
}

/** LinuxKit's runtime.json mounts, when it made any (its code is loaded only then). */
async function unmountRuntime(store: Store, id: string, warn: (m: string) => void): Promise<void> {
  if (store.runtimeMounts(id).length === 0) return;
  (await import("../linuxkit/unmount.ts")).unmountRecorded(store, id, warn);
}
