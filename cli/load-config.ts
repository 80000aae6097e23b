// Loading a bundle's config.json, for create, run and onboot only (not in common.ts): its fast
// path brings the semantic checks into a command's bundle, and a bundle stats each of its
// sources on every call (runtime/bundles.ts), so the other commands are better off without.
import { CliError } from "./command.ts";
import type { Config } from "../specs/schema/config.ts";
import { firstError, hasErrors } from "../specs/problem.ts";
import { checks } from "../runtime/parts.ts";
import { validateConfigFast } from "../specs/fast-config.ts";

/**
 * Validates <bundle>/config.json, or `raw` (parsed from `text`) when the caller has already read
 * and parsed it. A raw config the fast path vouches for is checked without loading zod, whose
 * part costs create ~30 ms of CPU while the container's init boots.
 */
export async function loadConfig(
  bundle: string,
  raw?: Record<string, unknown>,
  text?: string,
): Promise<Config> {
  let loaded = raw && validateConfigFast(raw, bundle, text);
  if (!loaded) {
    const { loadBundle, validateConfig } = await checks();
    loaded = raw ? validateConfig(raw, bundle, text) : loadBundle(bundle);
  }
  const { config, problems } = loaded;
  if (hasErrors(problems) || !config) throw new CliError(firstError("config.json", problems));
  return config;
}
