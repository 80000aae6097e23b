// Building blocks for the schemas: integers checked against the spec's fixed-width ranges, and
// enums whose error lists what is accepted. Type mismatches and missing fields get their
// messages in zod-problems.ts, from the issue itself.
import * as z from "zod";

// Each tsrun call validates one document: compiling parsers with new Function (zod's default)
// costs more than it saves on a single parse.
z.config({ jitless: true });

/** The exact range of each integer schema, for judging numbers a double cannot hold. */
export const INTEGER_RANGES = new WeakMap<
  z.ZodType,
  { min: bigint; max: bigint; message: (got: string) => string }
>();

/**
 * An integer in [min, max]. Bounds beyond 2^53 are compared as doubles here: JSON.parse already
 * rounded 18446744073709551615 (RLIM_INFINITY) to 2^64, so that double must pass as a uint64.
 * The digits of such long numbers are judged exactly against INTEGER_RANGES (exact-integers.ts).
 */
export function integer(
  kind: string,
  min: bigint,
  max: bigint,
  message = (got: unknown) => `expected ${kind} (${min}..${max}), got ${got}`,
) {
  const [lo, hi] = [Number(min), Number(max)];
  const schema = z.number().refine((n) => Number.isInteger(n) && n >= lo && n <= hi, {
    error: (iss) => message(iss.input),
  });
  INTEGER_RANGES.set(schema, { min, max, message });
  return schema;
}

export const int32 = integer("int32", -(2n ** 31n), 2n ** 31n - 1n);
export const int64 = integer("int64", -(2n ** 63n), 2n ** 63n - 1n);
export const uint16 = integer("uint16", 0n, 0xffffn);
export const uint32 = integer("uint32", 0n, 0xffffffffn);
export const uint64 = integer("uint64", 0n, 2n ** 64n - 1n);

/** A short, bounded description of a JSON value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "object":
      return "an object";
    case "string":
      return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
    default:
      return `${typeof v} ${String(v)}`;
  }
}

/** A string from a fixed list; the error is `unknown <what> "x", expected one of a, b, c`. */
export function oneOf<const T extends readonly [string, ...string[]]>(what: string, values: T) {
  const list = [...values].sort().join(", ");
  return z.enum(values, {
    error: (iss) =>
      typeof iss.input === "string"
        ? `unknown ${what} ${JSON.stringify(iss.input)}, expected one of ${list}`
        : `expected one of ${list}, got ${describe(iss.input)}`,
  });
}

export const strings = z.array(z.string());

/** A JSON object used as a string→string map (annotations, sysctl). */
export const stringMap = z.record(z.string(), z.string());

/** Unknown keys are kept and ignored, as the spec requires of runtimes. */
export const object = z.looseObject;
