// Container status, derived from the real process (never trusted from disk), and which
// operations each status allows — the lifecycle's state machine.
import { RuntimeError } from "../errors.ts";
import type { StoredState } from "./store.ts";
import { isOurProcess } from "./process.ts";

export type Status = "created" | "running" | "paused" | "stopped";
export type Operation = "start" | "kill" | "delete" | "pause" | "resume" | "exec" | "update";

/** `unstarted`: whether the exec fifo is still there (start removes it). */
export function deriveStatus(
  s: StoredState,
  unstarted: () => boolean,
  frozen: () => boolean,
): Status {
  if (!isOurProcess(s.pid, s.pidStart)) return "stopped";
  // Frozen first: a created container can be paused too, and runc then reports it paused.
  if (frozen()) return "paused";
  return unstarted() ? "created" : "running";
}

const allowed: Record<Status, readonly Operation[]> = {
  created: ["start", "kill", "exec", "update", "pause"],
  running: ["kill", "pause", "exec", "update"],
  paused: ["resume", "kill", "update"],
  stopped: ["delete"],
};

const refusals: Partial<Record<Operation, Partial<Record<Status, string>>>> = {
  start: {
    running: "cannot start an already running container",
    paused: "cannot start a paused container",
    stopped: "cannot start a container that has stopped",
  },
  kill: { stopped: "container not running" },
  delete: {
    created: "cannot delete a container that is not stopped: created (use --force)",
    running: "cannot delete a container that is not stopped: running (use --force)",
    paused: "cannot delete a container that is not stopped: paused (use --force)",
  },
  // runc's words for these refusals.
  pause: { paused: "container not running", stopped: "container not running" },
  resume: {
    created: "container not paused",
    running: "container not paused",
    stopped: "container not paused",
  },
  exec: {
    paused: "cannot exec in a paused container",
    stopped: "cannot exec in a stopped container",
  },
  update: { stopped: "container not running" },
};

export function assertCan(op: Operation, status: Status, id: string): void {
  if (allowed[status].includes(op)) return;
  throw new RuntimeError(refusals[op]?.[status] ?? `cannot ${op} container ${id}: it is ${status}`);
}
