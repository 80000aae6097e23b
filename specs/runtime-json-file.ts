// Where LinuxKit's runtime.json is, apart from its schema (specs/linuxkit.ts, which loads zod):
// `create` asks on every call, and loads the rest only for a bundle that has one.
export const RUNTIME_JSON = "runtime.json";

/** True when the bundle has a runtime.json (of any kind: a broken one is reported when read). */
export function hasRuntimeJson(bundleDir: string): boolean {
  try {
    Deno.lstatSync(`${bundleDir}/${RUNTIME_JSON}`);
    return true;
  } catch {
    return false;
  }
}
