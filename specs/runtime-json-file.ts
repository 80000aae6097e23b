// LinuxKit's runtime.json apart from its schema (specs/linuxkit.ts, which loads zod): where it
// is, which `create` asks on every call, and the names its plan (runtime/linuxkit) needs; the
// schema is loaded only for a bundle that has one.
export const RUNTIME_JSON = "runtime.json";

/** bindNS keys (LinuxKit's names, not the runtime-spec's: "mnt", "net"). */
export const BIND_NS_TYPES = ["cgroup", "ipc", "mnt", "net", "pid", "user", "uts"] as const;
export type BindNsType = (typeof BIND_NS_TYPES)[number];

/** The add type of an interface: a peer alone means a veth, as in LinuxKit. */
export function linkKind(i: { add?: string; peer?: string }): string | undefined {
  return i.add || (i.peer ? "veth" : undefined);
}

/** True when the bundle has a runtime.json (of any kind: a broken one is reported when read). */
export function hasRuntimeJson(bundleDir: string): boolean {
  try {
    Deno.lstatSync(`${bundleDir}/${RUNTIME_JSON}`);
    return true;
  } catch {
    return false;
  }
}
