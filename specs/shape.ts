// The structure of a zod schema as plain data (made by shape-gen.ts), and a zod-free judge of
// documents against it: a document it passes is one the schema surely accepts unchanged, so
// create can skip loading zod for it. What a shape cannot say is "opaque", and fails.

export type Shape =
  /** A loose object: every key by its shape and whether it may be absent; others are kept. */
  | { t: "obj"; keys: Record<string, [Shape, boolean]> }
  | { t: "str"; min?: number; max?: number; re?: string }
  | { t: "arr"; el: Shape; min?: number; max?: number }
  | { t: "bool" }
  /** A number that is an integer in [lo, hi], compared as doubles. */
  | { t: "int"; lo: number; hi: number }
  | { t: "enum"; v: readonly string[] }
  /** An object used as a map from any string key. */
  | { t: "rec"; v: Shape }
  | { t: "opaque" };

const regexes = new Map<string, RegExp>();

function regex(source: string): RegExp {
  let re = regexes.get(source);
  if (!re) regexes.set(source, re = new RegExp(source));
  return re;
}

function lengthIn(n: number, s: { min?: number; max?: number }): boolean {
  return n >= (s.min ?? 0) && n <= (s.max ?? Infinity);
}

/**
 * An object as JSON.parse makes them. zod rebuilds objects and drops an own "__proto__" key
 * from them, so such a document is not returned unchanged.
 */
function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype &&
    !Object.hasOwn(v, "__proto__");
}

/** True only when the schema `shape` was made from surely parses `data` to an equal value. */
export function matches(shape: Shape, data: unknown): boolean {
  switch (shape.t) {
    case "obj":
      return isJsonObject(data) &&
        Object.entries(shape.keys).every(([k, [s, optional]]) =>
          Object.hasOwn(data, k) ? matches(s, data[k]) : optional
        );
    case "str":
      return typeof data === "string" && lengthIn(data.length, shape) &&
        (shape.re === undefined || regex(shape.re).test(data));
    case "arr":
      if (!Array.isArray(data) || !lengthIn(data.length, shape)) return false;
      // A loop, not every(): every() skips the holes of a sparse array.
      for (let i = 0; i < data.length; i++) if (!matches(shape.el, data[i])) return false;
      return true;
    case "bool":
      return typeof data === "boolean";
    case "int":
      return Number.isInteger(data) && (data as number) >= shape.lo &&
        (data as number) <= shape.hi;
    case "enum":
      return typeof data === "string" && shape.v.includes(data);
    case "rec":
      return isJsonObject(data) && Object.values(data).every((v) => matches(shape.v, v));
    case "opaque":
      return false;
  }
}
