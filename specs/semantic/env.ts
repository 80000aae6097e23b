// Environment lists (process.env, hooks[].env): entries are KEY=VALUE by convention (environ(7)).
// The spec sets no rule beyond that and execve passes any string, so only runc's refusals of
// other entries are warned about; a NUL byte cannot be passed at all.
import { error, pointer, type Problem, warning } from "../problem.ts";

export function checkEnv(env: readonly string[] | undefined, at: PropertyKey[]): Problem[] {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  env?.forEach((entry, i) => {
    const ptr = pointer(...at, i);
    const eq = entry.indexOf("=");
    if (entry.includes("\0")) out.push(error(ptr, "contains a NUL byte"));
    else if (eq < 0) out.push(warning(ptr, `"${entry}" is not KEY=VALUE (runc refuses it)`));
    else if (eq === 0) {
      out.push(warning(ptr, `"${entry}" has an empty variable name (runc refuses it)`));
    }
    if (eq <= 0) return;
    const key = entry.slice(0, eq);
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(warning(ptr, `${key} is also set by entry ${first}; this later value wins`));
    } else seen.set(key, i);
  });
  return out;
}
