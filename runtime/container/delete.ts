// `delete`: only a stopped container, unless forced (then it is killed first); removes the
// cgroup and the state, then runs the poststop hooks.
import type { Config } from "../../specs/schema/config.ts";
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { loadContainer } from "./load.ts";
import { ociState } from "./inspect.ts";
import { runHooksWarn } from "../../init/hooks.ts";
import { pidfdOpen, pidfdSendSignal, pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";

const SIGKILL = 9;

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
  store.lock(id);
  const c = loadContainer(store, id);
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
  store.remove(id);
  await runHooksWarn(
    c.stored.config.hooks?.poststop,
    ociState(c.stored, "stopped"),
    "poststop",
    warn,
  );
}
