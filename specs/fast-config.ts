// Validating a config.json without zod, when its structure is surely right: the Shape of
// ConfigSchema (generated/config-shape.ts) vouches for the document, and no number in its text
// needs its digits judged (exact-integers.ts). Only the semantic checks then run. Any other
// config takes validateConfig, which alone can say what is wrong with its structure.
import type { LoadedBundle } from "./bundle.ts";
import { CONFIG_SHAPE } from "./generated/config-shape.ts";
import { INEXACT_NUMBER } from "./json-source.ts";
import type { Config } from "./schema/config.ts";
import { checkConfig } from "./semantic/index.ts";
import { matches } from "./shape.ts";

/**
 * What validateConfig finds in `data` (parsed from `text`), less its warnings about unknown
 * keys; undefined when judging it takes zod.
 */
export function validateConfigFast(
  data: unknown,
  bundleDir: string,
  text?: string,
): LoadedBundle | undefined {
  if ((text !== undefined && INEXACT_NUMBER.test(text)) || !matches(CONFIG_SHAPE, data)) {
    return undefined;
  }
  const config = data as Config;
  return { config, problems: checkConfig(config, { bundleDir }) };
}
