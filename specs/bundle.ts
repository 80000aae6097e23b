// Loading a bundle's config.json: read, check the structure, then the semantics. Never throws
// for bad input; every finding comes back as a Problem.
import { SPEC_VERSION } from "./implemented.ts";
import { exactIntegers } from "./exact-integers.ts";
import { readJsonObject } from "./json-file.ts";
import type { Problem } from "./problem.ts";
import { type Config, ConfigSchema } from "./schema/config.ts";
import { checkConfig } from "./semantic/index.ts";
import { checkKeys } from "./unknown-keys.ts";
import { parseWith } from "./zod-problems.ts";

export interface LoadedBundle {
  /** The parsed config; undefined when the file or its structure is unusable. */
  config: Config | undefined;
  /** Errors and warnings in document order of the checks; errors mean "do not create". */
  problems: Problem[];
  /** The text of config.json, when it is a JSON object. */
  text?: string;
}

/**
 * Validates an already parsed config.json object found in `bundleDir`. With `text`, the source
 * it was parsed from, integers too long for a double are judged on their exact digits.
 */
export function validateConfig(data: unknown, bundleDir: string, text?: string): LoadedBundle {
  const keys = checkKeys(ConfigSchema, data);
  data = keys.value;
  const parsed = parseWith(ConfigSchema, data);
  const exact = text === undefined ? [] : exactIntegers(ConfigSchema, text, parsed.problems);
  // A number out of range by its digits is a structural error like any other.
  const problems = [...parsed.problems, ...exact];
  const value = exact.length ? undefined : parsed.value;
  const all = [...problems, ...keys.problems];
  if (value) {
    all.push(...checkConfig(value, { bundleDir }));
  } else {
    const rest = salvage(data, problems);
    if (rest) all.push(...checkConfig(rest.config, { bundleDir }, rest.broken));
  }
  return { config: value, problems: all };
}

/**
 * The config without the parts that failed the schema: each top-level field, or each linux.*
 * field, holding a structural error is dropped, so the semantic checks that do not read it can
 * still run. undefined when the document is not even an object.
 */
function salvage(
  data: unknown,
  problems: readonly Problem[],
): { config: Config; broken: string[] } | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const copy: Record<string, unknown> = { ...data };
  const linux = copy.linux;
  if (typeof linux === "object" && linux !== null) copy.linux = { ...linux };
  const broken = new Set<string>();
  for (const p of problems) {
    const [top, sub] = p.pointer.split("/").slice(1);
    if (top === undefined) return undefined;
    if (top === "linux" && sub !== undefined) {
      delete (copy.linux as Record<string, unknown>)[sub];
      broken.add(`/linux/${sub}`);
    } else {
      delete copy[top];
      broken.add(`/${top}`);
    }
  }
  // ociVersion is required: stand in a valid one; its own check is skipped as broken.
  if (broken.has("/ociVersion")) copy.ociVersion = SPEC_VERSION;
  const r = ConfigSchema.safeParse(copy);
  return r.success ? { config: r.data, broken: [...broken] } : undefined;
}

/** Reads and validates `<bundleDir>/config.json`. */
export function loadBundle(bundleDir: string): LoadedBundle {
  const read = readJsonObject(`${bundleDir.replace(/\/+$/, "") || "/"}/config.json`);
  if (read.problem) return { config: undefined, problems: [read.problem] };
  return { ...validateConfig(read.value, bundleDir, read.text), text: read.text };
}
