// `deno task bundle [NAME...]`: builds the bundles tsrun runs from source (.tools/bundle, see
// runtime/bundles.ts): the init's, the parts' and every command's, or the ones named. A stale
// command bundle makes tsrun run from source, so the install steps build them all first.
import { build, BUNDLE_CACHE, PART_BUNDLES } from "../runtime/bundles.ts";
import { commands } from "../cli/registry.ts";

export async function buildAll(): Promise<void> {
  await build(["init", ...PART_BUNDLES, ...Object.keys(commands)]);
  // The entries of the bundles just replaced are dead weight that every command's start reads.
  await Deno.remove(BUNDLE_CACHE, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}

if (import.meta.main) await (Deno.args.length ? build(Deno.args) : buildAll());
