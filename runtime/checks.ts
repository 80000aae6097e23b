// The config.json, process.json and runtime.json checks (specs/checks.ts), loaded on first use
// so that the calls needing none do not even parse zod. A bundled command evaluates their own bundle
// (runtime/bundles.ts); from source, and compiled, they are a plain import, kept out of the
// command bundles by its computed specifier.
import type * as Checks from "../specs/checks.ts";
import { BUNDLED, evaluateBundle } from "./bundles.ts";

declare global {
  /** Set by the checks' bundle when it is evaluated. */
  var tsrunChecks: typeof Checks | undefined;
}

export async function checks(): Promise<typeof Checks> {
  if (!BUNDLED) return await import(new URL("../specs/checks.ts", import.meta.url).href);
  if (!globalThis.tsrunChecks) await evaluateBundle("checks");
  return globalThis.tsrunChecks!;
}
