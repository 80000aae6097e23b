// Parsing the other JSON documents the CLI accepts: `exec --process` and `update --resources`.
import type { z } from "zod";
import { type Problem } from "./problem.ts";
import { type LinuxResources, LinuxResourcesSchema } from "./resources.ts";
import { checkResources } from "./semantic/resources.ts";
import { type Process, ProcessSchema } from "./schema/process.ts";
import { checkProcess } from "./semantic/process.ts";
import { exactIntegers } from "./exact-integers.ts";
import { checkKeys } from "./unknown-keys.ts";
import { parseWith } from "./zod-problems.ts";

export interface Parsed<T> {
  /** undefined when the structure is wrong; check problems for errors either way. */
  value: T | undefined;
  problems: Problem[];
}

/**
 * The structure of `json` against `schema`: null optional members dropped, unknown keys warned
 * about and, given the `text` it was parsed from, long integers judged on their digits.
 */
function structure<T extends z.ZodType>(schema: T, json: unknown, text?: string) {
  const keys = checkKeys(schema, json);
  const { value, problems } = parseWith(schema, keys.value);
  const exact = text === undefined ? [] : exactIntegers(schema, text, problems);
  return {
    value: exact.length ? undefined : value,
    problems: [...problems, ...exact, ...keys.problems],
  };
}

/** A process object, as `runc exec --process process.json` reads it. */
export function parseProcess(json: unknown, text?: string): Parsed<Process> {
  const { value, problems } = structure(ProcessSchema, json, text);
  if (value) problems.push(...checkProcess(value, []));
  return { value, problems };
}

/** A linux.resources object, as `runc update --resources resources.json` reads it. */
export function parseResources(json: unknown): Parsed<LinuxResources> {
  const { value, problems } = structure(LinuxResourcesSchema, json);
  if (value) problems.push(...checkResources(value, ""));
  return { value, problems };
}
