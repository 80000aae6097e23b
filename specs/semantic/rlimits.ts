// process.rlimits: no type twice, soft <= hard (setrlimit(2) fails otherwise).
import { error, pointer, type Problem } from "../problem.ts";
import type { Rlimit } from "../schema/process.ts";

export function checkRlimits(rlimits: readonly Rlimit[] | undefined, at: PropertyKey[]): Problem[] {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  rlimits?.forEach((r, i) => {
    const first = seen.get(r.type);
    if (first !== undefined) {
      out.push(error(pointer(...at, i, "type"), `${r.type} is already set by entry ${first}`));
    } else seen.set(r.type, i);
    if (r.soft > r.hard) {
      out.push(
        error(pointer(...at, i, "soft"), `soft limit ${r.soft} exceeds hard limit ${r.hard}`),
      );
    }
  });
  return out;
}
