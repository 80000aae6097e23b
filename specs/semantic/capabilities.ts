// process.capabilities: known names (unknown ones are ignored with a warning, as the spec asks),
// and set relations capset(2) and PR_CAP_AMBIENT_RAISE enforce.
import { CAPABILITY_SETS, capabilityBit } from "../capabilities.ts";
import { pointer, type Problem, warning } from "../problem.ts";
import type { Capabilities } from "../schema/process.ts";

export function checkCapabilities(caps: Capabilities | undefined, at: PropertyKey[]): Problem[] {
  if (!caps) return [];
  const out: Problem[] = [];
  for (const set of CAPABILITY_SETS) {
    const seen = new Set<string>();
    caps[set]?.forEach((name, i) => {
      const ptr = pointer(...at, set, i);
      if (capabilityBit(name) === undefined) {
        out.push(warning(ptr, `unknown capability "${name}", ignored`));
      } else if (seen.has(name)) out.push(warning(ptr, `${name} is listed twice`));
      seen.add(name);
    });
  }
  const has = (set: (typeof CAPABILITY_SETS)[number], name: string) =>
    caps[set]?.includes(name) ?? false;
  // capset(2) refuses an effective capability that is not also permitted. runc fails there;
  // config.md asks for a warning about capabilities that cannot be granted, and the init
  // leaves them out.
  caps.effective?.forEach((name, i) => {
    if (capabilityBit(name) !== undefined && !has("permitted", name)) {
      out.push(
        warning(
          pointer(...at, "effective", i),
          `${name} is effective but not permitted, so it cannot be granted: left out`,
        ),
      );
    }
  });
  // The kernel refuses to raise an ambient capability that is not permitted and inheritable.
  caps.ambient?.forEach((name, i) => {
    if (
      capabilityBit(name) !== undefined && !(has("permitted", name) && has("inheritable", name))
    ) {
      out.push(
        warning(
          pointer(...at, "ambient", i),
          `${name} is ambient but not both permitted and inheritable, so it cannot be raised`,
        ),
      );
    }
  });
  return out;
}
