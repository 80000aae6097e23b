// `start`: release the init blocked on the exec fifo, then run the poststart hooks.
import type { Store, StoredState } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { isOurProcess } from "../state/process.ts";
import { RuntimeError } from "../errors.ts";
import { inspectContainer, ociState } from "./inspect.ts";
import { runHooksWarn } from "../hooks.ts";

export async function startContainer(
  store: Store,
  id: string,
  warn: (m: string) => void,
): Promise<void> {
  store.lock(id);
  const c = inspectContainer(store, id);
  assertCan("start", c.status, id);
  const fifoPath = store.fifo(id);
  releaseInit(fifoPath, c.stored, id);
  Deno.removeSync(fifoPath);
  await runHooksWarn(
    c.stored.config.hooks?.poststart,
    ociState(c.stored, "running"),
    "poststart",
    warn,
  );
}

/** How long `start` waits before it reads again when the init has not opened the fifo yet:
 * first 1 ms, doubling up to 100 ms (an init stopped there must not keep it busy). */
const RETRY_MS = [1, 100];

/**
 * Releases the init blocked opening the exec fifo for writing: it writes one byte, then holds the
 * fifo until only the exec of the container's process is left (after any startContainer hooks,
 * init/process.ts), and that EOF is when `start` returns. With Deno's own calls only: binding
 * libc for a pidfd and a non-blocking open would cost ~1.8 ms of every start, and a timer ~8 ms
 * (Deno's timers load its Node compatibility code). Opening a fifo read-write never blocks and
 * counts as a reader, which lets the init's open return; the read-only end opened next does not
 * block either, and once the read-write end is closed, a read waits for the byte while a writer
 * is there and ends at EOF when none is. An EOF before the byte is an init that died first, or
 * one that has not reached its open yet (right after create returned): the read end stays open,
 * so its open and write succeed whenever it gets there, and this reads again.
 */
function releaseInit(path: string, init: StoredState, id: string): void {
  const both = Deno.openSync(path, { read: true, write: true });
  let fifo;
  try {
    fifo = Deno.openSync(path, { read: true });
  } finally {
    both.close();
  }
  try {
    const buf = new Uint8Array(1);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let wait = RETRY_MS[0]; fifo.readSync(buf) !== 1; wait = Math.min(2 * wait, RETRY_MS[1])) {
      if (!isOurProcess(init.pid, init.pidStart)) {
        throw new RuntimeError(`container ${id}: init exited before start`);
      }
      Atomics.wait(pause, 0, 0, wait);
    }
    while (fifo.readSync(buf) !== null);
  } finally {
    fifo.close();
  }
}
