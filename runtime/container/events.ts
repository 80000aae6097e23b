// `events`: runc's event stream on stdout — a stats event every interval and an oom event when
// the kernel reports one, until the container stops — or a single stats event.
import type { StatsEvent } from "../cgroups/mod.ts";
import type { Store } from "../state/store.ts";
import { ourPidfd } from "../state/process.ts";
import { RuntimeError } from "../errors.ts";
import { type Container, loadContainer } from "./load.ts";
import { pollIn } from "../../syscalls/pidfd.ts";
import { closeFd } from "../../syscalls/socket.ts";

export type Event = StatsEvent | { type: "oom"; id: string };

/** v2 has no OOM event to wait on: how often its counter is looked at. */
const OOM_POLL_MS = 100;

function running(store: Store, id: string): Container {
  const c = loadContainer(store, id);
  if (c.status === "stopped") throw new RuntimeError(`container with id ${id} is not running`);
  return c;
}

export function containerStats(store: Store, id: string): StatsEvent {
  return running(store, id).cgroup().stats();
}

export interface WatchOptions {
  intervalMs: number;
  emit(e: Event): void;
  /** A stats read that fails is reported here and the stream goes on (as in runc). */
  warn(message: string): void;
}

export function watchEvents(store: Store, id: string, o: WatchOptions): void {
  const c = running(store, id);
  const cgroup = c.cgroup();
  const pidfd = ourPidfd(c.stored.pid, c.stored.pidStart);
  if (pidfd === undefined) throw new RuntimeError(`container with id ${id} is not running`);
  try {
    const oom = cgroup.oomWatch();
    try {
      let next = Date.now() + o.intervalMs;
      for (;;) {
        const fds = oom.fd === undefined ? [pidfd] : [pidfd, oom.fd];
        const wait = Math.max(0, next - Date.now());
        const ready = pollIn(fds, oom.fd === undefined ? Math.min(wait, OOM_POLL_MS) : wait);
        const ooms = oom.take();
        if (ooms === undefined) return; // the cgroup is gone
        if (ooms > 0) o.emit({ type: "oom", id });
        if (ready.includes(0)) return; // the init exited: the container stopped
        if (Date.now() < next) continue;
        try {
          o.emit(cgroup.stats());
        } catch (e) {
          o.warn(`stats: ${(e as Error).message}`);
        }
        next = Date.now() + o.intervalMs;
      }
    } finally {
      oom.close();
    }
  } finally {
    closeFd(pidfd);
  }
}
