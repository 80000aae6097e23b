// `deno task bundle [NAME...]`: builds the bundles tsrun runs from source (.tools/bundle, see
// runtime/bundles.ts): the init's, the parts' and every command's, or the ones named. A stale
// command bundle makes tsrun run from source, so the install steps build them all first.
import { build, PART_BUNDLES } from "../runtime/bundles.ts";
import { commands } from "../cli/registry.ts";

export function buildAll(): Promise<void> {
  return build(["init", ...PART_BUNDLES, ...Object.keys(commands)]);
}

if (import.meta.main) await (Deno.args.length ? build(Deno.args) : buildAll());
