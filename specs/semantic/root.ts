// root: required on Linux; root.path must name an existing directory (config.md#root).
import { error, type Problem } from "../problem.ts";
import type { Check } from "./context.ts";
import { hostStat, inBundle } from "./paths.ts";

export const checkRoot: Check = (config, { bundleDir }): Problem[] => {
  if (!config.root) return [error("/root", "required on Linux")];
  const path = config.root.path;
  if (path === "") return [error("/root/path", "must not be empty")];
  if (path.includes("\0")) return [error("/root/path", "contains a NUL byte")];
  const full = inBundle(bundleDir, path);
  const st = hostStat(full);
  if (typeof st === "string") return [error("/root/path", `${full} ${st}`)];
  if (!st.isDirectory) return [error("/root/path", `${full} is not a directory`)];
  return [];
};
