// Syscall name lookup for seccomp rules, over the per-architecture tables in data/syscalls.ts.
import { AARCH64_SYSCALLS, X86_64_SYSCALLS, X86_SYSCALLS } from "./data/syscalls.ts";

const TABLES: Record<string, string> = {
  SCMP_ARCH_X86_64: X86_64_SYSCALLS,
  SCMP_ARCH_X32: X86_64_SYSCALLS,
  SCMP_ARCH_X86: X86_SYSCALLS,
  SCMP_ARCH_AARCH64: AARCH64_SYSCALLS,
};

// Split on first use only: most configs have no seccomp rules to check.
const sets = new Map<string, Set<string>>();

function table(arch: string): Set<string> | undefined {
  const text = TABLES[arch];
  if (text === undefined) return undefined;
  let set = sets.get(arch);
  if (!set) sets.set(arch, set = new Set(text.split(/\s+/).filter(Boolean)));
  return set;
}

/** The seccomp architecture of the machine tsrun runs on. */
export function nativeArch(): string {
  return Deno.build.arch === "aarch64" ? "SCMP_ARCH_AARCH64" : "SCMP_ARCH_X86_64";
}

/** The architectures in `archs` that have a name table. */
export function archsWithTables(archs: readonly string[]): string[] {
  return archs.filter((a) => a in TABLES);
}

/** True when `name` is a syscall on at least one of `archs` (which must have tables). */
export function isKnownSyscall(name: string, archs: readonly string[]): boolean {
  return archs.some((a) => table(a)?.has(name));
}
