// `start`: release the init blocked on the exec fifo, then run the poststart hooks.
import type { Store, StoredState } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { RuntimeError } from "../errors.ts";
import { inspectContainer, ociState } from "./inspect.ts";
import { runHooksWarn } from "../hooks.ts";
import { libc, O_CLOEXEC, O_NONBLOCK, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { pollIn } from "../../syscalls/pidfd.ts";
import { ourPidfd } from "../state/process.ts";
import { closeFd } from "../../syscalls/socket.ts";

export async function startContainer(
  store: Store,
  id: string,
  warn: (m: string) => void,
): Promise<void> {
  store.lock(id);
  const c = inspectContainer(store, id);
  assertCan("start", c.status, id);
  const fifoPath = store.fifo(id);
  const pidfd = initPidfd(c.stored, id);
  let fifo = -1;
  try {
    // Non-blocking open, then poll with the init's pidfd: a dead init must not hang `start`.
    fifo = openFd(fifoPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (readFifo(fifo, pidfd) !== 1) {
      throw new RuntimeError(`container ${id}: init exited before start`);
    }
    // Then EOF: the init holds the fifo until only the exec of the container's process is left
    // (after startContainer hooks; see init/process.ts).
    while (readFifo(fifo, pidfd) > 0);
  } finally {
    if (fifo >= 0) closeFd(fifo);
    closeFd(pidfd);
  }
  Deno.removeSync(fifoPath);
  await runHooksWarn(
    c.stored.config.hooks?.poststart,
    ociState(c.stored, "running"),
    "poststart",
    warn,
  );
}

/** One read from the fifo once it is readable; 0 at EOF or when the init is gone. */
function readFifo(fifo: number, pidfd: number): number {
  const ready = pollIn([fifo, pidfd], -1);
  if (!ready.includes(0)) return 0;
  const n = Number(libc().read(fifo, new Uint8Array(1), 1n));
  return n > 0 ? n : 0;
}

/**
 * Taken before the fifo is opened: from then on the init may exec, exit and be reaped by its
 * parent (conmon, the shim reap at once) before we look, and its pid would be gone.
 */
function initPidfd(init: StoredState, id: string): number {
  const fd = ourPidfd(init.pid, init.pidStart);
  if (fd === undefined) throw new RuntimeError(`container ${id}: init exited before start`);
  return fd;
}
