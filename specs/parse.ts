// Parsing the other JSON documents the CLI accepts: `exec --process` and `update --resources`.
import { type Problem } from "./problem.ts";
import { checkResources, type LinuxResources, LinuxResourcesSchema } from "./resources.ts";
import { type Process, ProcessSchema } from "./schema/process.ts";
import { checkProcess } from "./semantic/process.ts";
import { unknownKeys } from "./unknown-keys.ts";
import { parseWith } from "./zod-problems.ts";

export interface Parsed<T> {
  /** undefined when the structure is wrong; check problems for errors either way. */
  value: T | undefined;
  problems: Problem[];
}

/** A process object, as `runc exec --process process.json` reads it. */
export function parseProcess(json: unknown): Parsed<Process> {
  const { value, problems } = parseWith(ProcessSchema, json);
  const all = [...problems, ...unknownKeys(ProcessSchema, json)];
  if (value) all.push(...checkProcess(value, []));
  return { value, problems: all };
}

/** A linux.resources object, as `runc update --resources resources.json` reads it. */
export function parseResources(json: unknown): Parsed<LinuxResources> {
  const { value, problems } = parseWith(LinuxResourcesSchema, json);
  const all = [...problems, ...unknownKeys(LinuxResourcesSchema, json)];
  if (value) all.push(...checkResources(value, ""));
  return { value, problems: all };
}
