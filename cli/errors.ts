// An error as the one line tsrun prints and logs. From source, Deno's error for an npm package
// missing from its module cache spans several lines and names no fix: the cache is tsrun's
// install, and scripts/deno repairs it.
import { SOURCE_ROOT } from "../runtime/bundles.ts";

const MISSING_PACKAGE = /npm package not found in cache: "([^"]+)"/;

export function errorLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const pkg = MISSING_PACKAGE.exec(msg)?.[1];
  if (pkg === undefined) return msg;
  return `the npm package ${pkg} is missing from Deno's module cache: ` +
    `run ${SOURCE_ROOT}scripts/deno install to repair the install`;
}
