// root: required on Linux; root.path must name an existing directory (config.md#root), and a
// relative one must stay in the bundle (bundle.md).
import { error, type Problem } from "../problem.ts";
import type { Check } from "./context.ts";
import { hostStat, inBundle } from "./paths.ts";

export const checkRoot: Check = (config, { bundleDir }): Problem[] => {
  if (!config.root) return [error("/root", "required on Linux")];
  const path = config.root.path;
  if (path === "") return [error("/root/path", "must not be empty")];
  if (path.includes("\0")) return [error("/root/path", "contains a NUL byte")];
  // bundle.md: the artifacts of a bundle MUST all be in its directory; an absolute path is the
  // one way config.md allows a rootfs elsewhere.
  if (!path.startsWith("/") && leaves(path)) {
    return [
      error("/root/path", `"${path}" leaves the bundle: a relative path must stay inside it`),
    ];
  }
  const full = inBundle(bundleDir, path);
  const st = hostStat(full);
  if (typeof st === "string") return [error("/root/path", `${full} ${st}`)];
  if (!st.isDirectory) return [error("/root/path", `${full} is not a directory`)];
  return [];
};

/** Whether a relative path climbs above where it starts, judged on its text. */
function leaves(path: string): boolean {
  let depth = 0;
  for (const part of path.split("/")) {
    if (part === "..") depth--;
    else if (part !== "" && part !== ".") depth++;
    if (depth < 0) return true;
  }
  return false;
}
