// linux.maskedPaths and linux.readonlyPaths: absolute paths inside the container.
import { pointer, type Problem } from "../problem.ts";
import type { Check } from "./context.ts";
import { absolutePath } from "./paths.ts";

export const checkLinuxPaths: Check = (config) => {
  const out: Problem[] = [];
  for (const key of ["maskedPaths", "readonlyPaths"] as const) {
    config.linux?.[key]?.forEach((p, i) => {
      out.push(...absolutePath(p, pointer("linux", key, i)));
    });
  }
  return out;
};
