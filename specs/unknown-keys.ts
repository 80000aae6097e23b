// What the schema alone cannot say about a document's keys, found in one walk guided by the
// schema: keys it does not know (the spec makes runtimes ignore them, which also hides typos
// such as "namspaces", so each one is named with a close known key), and Go-style nulls in
// optional members (Go writes nil slices and pointers as null; runc reads them as absent, so
// they are dropped with a warning).
import * as z from "zod";
import { pointer, type Problem, warning } from "./problem.ts";

export interface Checked {
  /** The document without null optional members (the input itself when it had none). */
  value: unknown;
  problems: Problem[];
}

export function checkKeys(schema: z.ZodType, data: unknown): Checked {
  const problems: Problem[] = [];
  const walk = (schema: z.ZodType, data: unknown, path: PropertyKey[]): unknown => {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
      return walk(schema.unwrap() as z.ZodType, data, path);
    }
    if (schema instanceof z.ZodArray && Array.isArray(data)) {
      const out = data.map((d, i) => walk(schema.element as z.ZodType, d, [...path, i]));
      return out.some((v, i) => v !== data[i]) ? out : data;
    }
    if (!isObject(data)) return data;
    let copy: Record<string, unknown> | undefined;
    const set = (k: string, v: unknown) => {
      if (v === data[k]) return;
      copy ??= { ...data };
      if (v === undefined) delete copy[k];
      else copy[k] = v;
    };
    if (schema instanceof z.ZodRecord) {
      const value = schema.def.valueType as z.ZodType;
      for (const [k, v] of Object.entries(data)) set(k, walk(value, v, [...path, k]));
      return copy ?? data;
    }
    if (!(schema instanceof z.ZodObject)) return data;
    const shape = schema.shape as Record<string, z.ZodType>;
    for (const [k, v] of Object.entries(data)) {
      if (!Object.hasOwn(shape, k)) {
        const guess = closest(k, Object.keys(shape));
        const hint = guess ? ` (did you mean "${guess}"?)` : "";
        problems.push(warning(pointer(...path, k), `unknown field, ignored${hint}`));
      } else if (v === null && shape[k] instanceof z.ZodOptional) {
        problems.push(warning(pointer(...path, k), "null, treated as absent"));
        set(k, undefined);
      } else set(k, walk(shape[k], v, [...path, k]));
    }
    return copy ?? data;
  };
  const value = walk(schema, data, []);
  return { value, problems };
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
