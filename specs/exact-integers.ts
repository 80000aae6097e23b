// Integers judged on their digits, not on the double JSON.parse made of them: 2^64 is outside
// uint64 although it parses to the same double as 2^64-1, and 1.0000000000000001 is no integer.
import * as z from "zod";
import { type JsonSource, LONG_NUMBER, scanJson, WRITTEN_NUMBER } from "./json-source.ts";
import { INTEGER_RANGES } from "./primitives.ts";
import { error, type Problem, warning } from "./problem.ts";

/** The exact value of a JSON number token: an integer, or "fraction" when it is not one. */
export function exactValue(token: string): bigint | "fraction" {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return "fraction";
  const fraction = m[3] ?? "";
  const digits = (m[2] + fraction).replace(/^0+(?=\d)/, "");
  // An exponent far past any 64-bit range only needs to stay far past it.
  const exp = Math.max(-4096, Math.min(4096, Number(m[4] ?? 0))) - fraction.length;
  let n: bigint;
  if (exp >= 0) n = BigInt(digits) * 10n ** BigInt(exp);
  else {
    const cut = digits.length + exp;
    if (/[^0]/.test(digits.slice(Math.max(cut, 0)))) return "fraction";
    n = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
  }
  return m[1] ? -n : n;
}

/** The schema a JSON pointer leads to, or undefined where the schema does not go. */
function schemaAt(schema: z.ZodType, ptr: string): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const raw of ptr.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[key];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.def.valueType as z.ZodType;
    else return undefined;
    if (!s) return undefined;
  }
  return unwrap(s);
}

function unwrap(s: z.ZodType): z.ZodType {
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Errors for integers of `text` whose exact digits are out of their schema's range or not
 * integers, skipping pointers that already have a problem; warnings for integers written with
 * a fraction or an exponent (JSON Schema's integer allows 1e3, runc's Go decoder refuses it).
 * Scans only text with such numbers.
 */
export function exactIntegers(
  schema: z.ZodType,
  text: string,
  known: readonly Problem[],
  scanned?: JsonSource,
): Problem[] {
  if (!LONG_NUMBER.test(text) && !WRITTEN_NUMBER.test(text)) return [];
  const source = scanned ?? scanJson(text);
  const out: Problem[] = [];
  for (const [ptr, token] of source.longNumbers) {
    if (known.some((p) => p.pointer === ptr)) continue;
    const leaf = schemaAt(schema, ptr);
    const range = leaf && INTEGER_RANGES.get(leaf);
    if (!range) continue;
    const v = exactValue(token);
    if (v === "fraction" || v < range.min || v > range.max) {
      out.push(error(ptr, range.message(token)));
    } else if (!/^-?\d+$/.test(token)) {
      out.push(warning(ptr, `runc refuses ${token} for an integer: write ${v}`));
    }
  }
  return out;
}
