// Namespace types of the runtime-spec (config-linux.md#namespaces).
export const NAMESPACE_TYPES = [
  "cgroup",
  "ipc",
  "mount",
  "network",
  "pid",
  "time",
  "user",
  "uts",
] as const;

export type NamespaceType = (typeof NAMESPACE_TYPES)[number];
