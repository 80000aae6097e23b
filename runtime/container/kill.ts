// `kill`: a signal to the init through a pidfd checked to be its own (no pid-reuse race), or to
// every process in the container's cgroup with --all.
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { loadContainer } from "./load.ts";
import { pidfdSendSignal } from "../../syscalls/pidfd.ts";
import { ourPidfd } from "../state/process.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { SIGKILL } from "../signals.ts";

export function killContainer(store: Store, id: string, signal: number, all: boolean): void {
  const c = loadContainer(store, id);
  if (all) {
    // As runc: --all reaches what is left in the cgroup after the init exited (a container
    // without its own pid namespace), and does nothing once the cgroup is gone.
    if (c.status !== "stopped" || c.cgroup().exists()) c.cgroup().killAll(signal);
    return;
  }
  assertCan("kill", c.status, id);
  const fd = ourPidfd(c.stored.pid, c.stored.pidStart);
  if (fd === undefined) throw new RuntimeError("container not running");
  try {
    pidfdSendSignal(fd, signal, c.stored.pid);
    // A frozen process does not die of SIGKILL until thawed (runc thaws for SIGKILL only).
    if (c.status === "paused" && signal === SIGKILL) c.cgroup().thaw();
  } catch (e) {
    if (e instanceof SyscallError && e.errnoName === "ESRCH") {
      throw new RuntimeError("container not running");
    }
    throw e;
  } finally {
    closeFd(fd);
  }
}
