// Warnings for object keys the schema does not know. The spec makes runtimes ignore them, which
// also hides typos ("namspaces"), so validation names each one and suggests a close known key.
import * as z from "zod";
import { pointer, type Problem, warning } from "./problem.ts";

export function unknownKeys(schema: z.ZodType, data: unknown, path: PropertyKey[] = []): Problem[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
    return unknownKeys(schema.unwrap() as z.ZodType, data, path);
  }
  if (schema instanceof z.ZodArray && Array.isArray(data)) {
    return data.flatMap((d, i) => unknownKeys(schema.element as z.ZodType, d, [...path, i]));
  }
  if (!isObject(data)) return [];
  if (schema instanceof z.ZodRecord) {
    const value = schema.def.valueType as z.ZodType;
    return Object.entries(data).flatMap(([k, v]) => unknownKeys(value, v, [...path, k]));
  }
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  return Object.entries(data).flatMap(([k, v]) => {
    if (Object.hasOwn(shape, k)) return unknownKeys(shape[k], v, [...path, k]);
    const guess = closest(k, known);
    const hint = guess ? ` (did you mean "${guess}"?)` : "";
    return [warning(pointer(...path, k), `unknown field, ignored${hint}`)];
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The known key within two edits of `key` (ignoring case), if there is one. */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
