// Environment lists (process.env, hooks[].env): each entry is KEY=VALUE, as execve expects.
import { error, pointer, type Problem, warning } from "../problem.ts";

export function checkEnv(env: readonly string[] | undefined, at: PropertyKey[]): Problem[] {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  env?.forEach((entry, i) => {
    const ptr = pointer(...at, i);
    const eq = entry.indexOf("=");
    if (entry.includes("\0")) out.push(error(ptr, "contains a NUL byte"));
    else if (eq < 0) out.push(error(ptr, `"${entry}" is not KEY=VALUE`));
    else if (eq === 0) out.push(error(ptr, `"${entry}" has an empty variable name`));
    if (eq <= 0) return;
    const key = entry.slice(0, eq);
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(warning(ptr, `${key} is also set by entry ${first}; this later value wins`));
    } else seen.set(key, i);
  });
  return out;
}
