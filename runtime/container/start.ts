// `start`: release the init blocked on the exec fifo, then run the poststart hooks.
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { RuntimeError } from "../errors.ts";
import { loadContainer, ociState } from "./load.ts";
import { runHooksWarn } from "../../init/hooks.ts";
import { libc, O_CLOEXEC, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { pidfdOpen, pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";

const O_NONBLOCK = 0o4000;

export async function startContainer(
  store: Store,
  id: string,
  warn: (m: string) => void,
): Promise<void> {
  store.lock(id);
  const c = loadContainer(store, id);
  assertCan("start", c.status, id);
  const fifoPath = store.fifo(id);
  // Non-blocking open, then poll with the init's pidfd: a dead init must not hang `start`.
  const fifo = openFd(fifoPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  const pidfd = pidfdOpen(c.stored.pid);
  try {
    const ready = pollIn([fifo, pidfd], -1);
    const buf = new Uint8Array(1);
    const n = ready.includes(0) ? Number(libc().read(fifo, buf, 1n)) : 0;
    if (n !== 1) throw new RuntimeError(`container ${id}: init exited before start`);
  } finally {
    closeFd(fifo);
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
