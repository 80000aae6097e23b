// Path rules shared by many fields.
import { error, type Problem } from "../problem.ts";

/** Problems for a path the spec requires to be absolute. */
export function absolutePath(path: string, ptr: string, what = "path"): Problem[] {
  if (path.includes("\0")) return [error(ptr, `${what} contains a NUL byte`)];
  if (!path.startsWith("/")) return [error(ptr, `${what} must be absolute, got "${path}"`)];
  return [];
}

/** Resolves a host path given relative to the bundle directory. */
export function inBundle(bundleDir: string, path: string): string {
  return path.startsWith("/") ? path : `${bundleDir.replace(/\/+$/, "")}/${path}`;
}

/** stat(2) on the host, following symlinks: the info, or why it failed ("does not exist"). */
export function hostStat(path: string): Deno.FileInfo | string {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "does not exist";
    if (e instanceof Deno.errors.PermissionDenied) return "cannot be accessed: permission denied";
    return `cannot be accessed: ${e instanceof Error ? e.message : String(e)}`;
  }
}
