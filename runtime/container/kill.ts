// `kill`: a signal to the init through a pidfd checked to be its own (no pid-reuse race), or to
// every process in the container's cgroup with --all.
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { inspectContainer, liveInitPid } from "./inspect.ts";
import { cgroups } from "../parts.ts";
import { pidfdSendSignal } from "../../syscalls/pidfd.ts";
import { ourPidfd } from "../state/process.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { SIGKILL } from "../signals.ts";

export async function killContainer(
  store: Store,
  id: string,
  signal: number,
  all: boolean,
): Promise<void> {
  const c = inspectContainer(store, id);
  const cgroup = async () =>
    (await cgroups()).reopenCgroup(id, c.stored.cgroup, { initPid: liveInitPid(c) });
  if (all) {
    // As runc: --all reaches what is left in the cgroup after the init exited (a container
    // without its own pid namespace), and does nothing once the cgroup is gone.
    const m = await cgroup();
    if (c.status !== "stopped" || m.exists()) m.killAll(signal);
    return;
  }
  assertCan("kill", c.status, id);
  const fd = ourPidfd(c.stored.pid, c.stored.pidStart);
  if (fd === undefined) throw new RuntimeError("container not running");
  try {
    pidfdSendSignal(fd, signal, c.stored.pid);
    // A frozen process does not die of SIGKILL until thawed (runc thaws for SIGKILL only).
    if (c.status === "paused" && signal === SIGKILL) (await cgroup()).thaw();
  } catch (e) {
    if (e instanceof SyscallError && e.errnoName === "ESRCH") {
      throw new RuntimeError("container not running");
    }
    throw e;
  } finally {
    closeFd(fd);
  }
}
