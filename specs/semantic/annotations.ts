// annotations (config.md#annotations): keys must not be empty.
import { error, pointer, type Problem } from "../problem.ts";
import type { Check } from "./context.ts";

export const checkAnnotations: Check = (config) => {
  const out: Problem[] = [];
  for (const key of Object.keys(config.annotations ?? {})) {
    if (key === "") {
      out.push(error(pointer("annotations", ""), "annotation keys must not be empty"));
    }
  }
  return out;
};
