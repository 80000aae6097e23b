// process.oomScoreAdj, ioPriority and scheduler: the ranges and combinations the kernel accepts
// (proc(5), ioprio_set(2), sched_setattr(2)).
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { Process } from "../schema/process.ts";

export function checkScheduling(p: Process, at: PropertyKey[]): Problem[] {
  const out: Problem[] = [];
  const ptr = (...rest: PropertyKey[]) => pointer(...at, ...rest);
  if (p.oomScoreAdj !== undefined && (p.oomScoreAdj < -1000 || p.oomScoreAdj > 1000)) {
    out.push(error(ptr("oomScoreAdj"), `must be -1000..1000, got ${p.oomScoreAdj}`));
  }
  const io = p.ioPriority?.priority;
  if (io !== undefined && (io < 0 || io > 7)) {
    out.push(error(ptr("ioPriority", "priority"), `must be 0 (highest)..7 (lowest), got ${io}`));
  }
  const s = p.scheduler;
  if (!s) return out;
  const realtime = s.policy === "SCHED_FIFO" || s.policy === "SCHED_RR";
  if (s.policy === "SCHED_ISO") {
    out.push(error(ptr("scheduler", "policy"), "SCHED_ISO is not implemented by Linux"));
  }
  if (s.nice !== undefined && (s.nice < -20 || s.nice > 19)) {
    out.push(error(ptr("scheduler", "nice"), `must be -20..19, got ${s.nice}`));
  }
  if (realtime && (s.priority === undefined || s.priority < 1 || s.priority > 99)) {
    out.push(
      error(
        ptr("scheduler", "priority"),
        `${s.policy} needs a priority of 1..99, got ${s.priority ?? "none"}`,
      ),
    );
  }
  if (!realtime && s.priority !== undefined && s.priority !== 0) {
    out.push(error(ptr("scheduler", "priority"), `only SCHED_FIFO and SCHED_RR take a priority`));
  }
  if (realtime && s.nice !== undefined && s.nice !== 0) {
    out.push(warning(ptr("scheduler", "nice"), `ignored by ${s.policy}`));
  }
  const deadline = ["runtime", "deadline", "period"] as const;
  if (s.policy !== "SCHED_DEADLINE") {
    for (const k of deadline) {
      if (s[k]) {
        out.push(error(ptr("scheduler", k), "only SCHED_DEADLINE takes runtime/deadline/period"));
      }
    }
  } else {
    const { runtime = 0, deadline: dl = 0, period = 0 } = s;
    if (runtime === 0) {
      out.push(error(ptr("scheduler", "runtime"), "SCHED_DEADLINE needs a runtime"));
    }
    if (dl === 0) out.push(error(ptr("scheduler", "deadline"), "SCHED_DEADLINE needs a deadline"));
    // sched_setattr: runtime <= deadline <= period (a zero period means "same as deadline").
    if (dl !== 0 && runtime > dl) {
      out.push(error(ptr("scheduler", "runtime"), `runtime ${runtime} exceeds deadline ${dl}`));
    }
    if (period !== 0 && dl > period) {
      out.push(error(ptr("scheduler", "deadline"), `deadline ${dl} exceeds period ${period}`));
    }
  }
  return out;
}
