// The Shape (shape.ts) of a zod schema, for scripts/gen-shapes.ts. Only what shape.ts can judge
// exactly as zod does is mirrored: any other type, and any check or refinement this does not
// know, makes its node opaque, which no value matches.
import type * as z from "zod";
import { INTEGER_RANGES } from "./primitives.ts";
import type { Shape } from "./shape.ts";

const OPAQUE: Shape = { t: "opaque" };

export function shapeOf(schema: z.core.$ZodType): Shape {
  const s = schema as z.core.$ZodTypes;
  const def = s._zod.def;
  const checks = (def.checks ?? []).map((c) => c._zod.def);
  switch (def.type) {
    case "object": {
      // Only loose objects, whose output keeps unknown keys as they are.
      if (checks.length || def.catchall?._zod.def.type !== "unknown") return OPAQUE;
      const keys: Record<string, [Shape, boolean]> = {};
      for (const [k, v] of Object.entries(def.shape)) {
        const member = v as z.core.$ZodTypes;
        keys[k] = member._zod.def.type === "optional"
          ? [shapeOf(member._zod.def.innerType), true]
          : [shapeOf(member), false];
      }
      return { t: "obj", keys };
    }
    case "string": {
      if (def.coerce) return OPAQUE;
      const out: Extract<Shape, { t: "str" }> = { t: "str" };
      for (const c of checks) {
        if (c.check === "min_length") out.min = (c as z.core.$ZodCheckMinLengthDef).minimum;
        else if (c.check === "max_length") out.max = (c as z.core.$ZodCheckMaxLengthDef).maximum;
        else if (isRegex(c) && c.pattern.flags === "" && out.re === undefined) {
          out.re = c.pattern.source;
        } else return OPAQUE;
      }
      return out;
    }
    case "array": {
      const out: Extract<Shape, { t: "arr" }> = { t: "arr", el: shapeOf(def.element) };
      for (const c of checks) {
        if (c.check === "min_length") out.min = (c as z.core.$ZodCheckMinLengthDef).minimum;
        else if (c.check === "max_length") out.max = (c as z.core.$ZodCheckMaxLengthDef).maximum;
        else return OPAQUE;
      }
      return out;
    }
    case "boolean":
      return checks.length || def.coerce ? OPAQUE : { t: "bool" };
    case "number": {
      // integer() in primitives.ts: its one refinement is the range it records.
      const range = INTEGER_RANGES.get(schema as z.ZodType);
      if (!range || checks.length !== 1 || def.coerce) return OPAQUE;
      return { t: "int", lo: Number(range.min), hi: Number(range.max) };
    }
    case "enum": {
      const v = Object.values(def.entries);
      if (checks.length || !v.every((e) => typeof e === "string")) return OPAQUE;
      return { t: "enum", v: v as readonly string[] };
    }
    case "record": {
      const key = def.keyType._zod.def as z.core.$ZodStringDef;
      if (checks.length || key.type !== "string" || key.checks?.length || key.coerce) {
        return OPAQUE;
      }
      return { t: "rec", v: shapeOf(def.valueType) };
    }
    default:
      return OPAQUE;
  }
}

function isRegex(c: z.core.$ZodCheckDef): c is z.core.$ZodCheckRegexDef {
  return c.check === "string_format" && (c as z.core.$ZodCheckStringFormatDef).format === "regex";
}
