// Linux resource limits by name. The index of each name is its RLIMIT_* resource number
// (asm-generic/resource.h, the same on x86-64 and arm64), so the runtime can call setrlimit
// with what validation accepted.
export const RLIMITS = [
  "RLIMIT_CPU",
  "RLIMIT_FSIZE",
  "RLIMIT_DATA",
  "RLIMIT_STACK",
  "RLIMIT_CORE",
  "RLIMIT_RSS",
  "RLIMIT_NPROC",
  "RLIMIT_NOFILE",
  "RLIMIT_MEMLOCK",
  "RLIMIT_AS",
  "RLIMIT_LOCKS",
  "RLIMIT_SIGPENDING",
  "RLIMIT_MSGQUEUE",
  "RLIMIT_NICE",
  "RLIMIT_RTPRIO",
  "RLIMIT_RTTIME",
] as const;

/** The resource number of an RLIMIT_* name, or undefined for an unknown name. */
export function rlimitResource(name: string): number | undefined {
  const i = (RLIMITS as readonly string[]).indexOf(name);
  return i < 0 ? undefined : i;
}
