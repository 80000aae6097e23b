// The seccomp architectures tsrun can filter: how the kernel tags a syscall with them in
// seccomp_data.arch (AUDIT_ARCH_*), and their syscall numbers.
import { AARCH64, X32, X86, X86_64 } from "./numbers.ts";

/** Marks an x32 syscall number on x86-64 (__X32_SYSCALL_BIT). */
export const X32_SYSCALL_BIT = 0x40000000;

const AUDIT_64BIT = 0x80000000, AUDIT_LE = 0x40000000;

export interface ArchInfo {
  /** seccomp_data.arch for this ABI (x32 shares x86-64's). */
  audit: number;
  /**
   * Arguments are compared on their low 32 bits only, as libseccomp does for 32-bit ABIs: the
   * kernel hands their registers over zero-extended.
   */
  args32: boolean;
  /** Added to every number of the table (x32's marker bit). */
  nrBase: number;
  table: string;
}

export const ARCHES: Record<string, ArchInfo> = {
  SCMP_ARCH_X86_64: { audit: 62 | AUDIT_64BIT | AUDIT_LE, args32: false, nrBase: 0, table: X86_64 },
  SCMP_ARCH_X86: { audit: 3 | AUDIT_LE, args32: true, nrBase: 0, table: X86 },
  SCMP_ARCH_X32: {
    audit: 62 | AUDIT_64BIT | AUDIT_LE,
    args32: true,
    nrBase: X32_SYSCALL_BIT,
    table: X32,
  },
  SCMP_ARCH_AARCH64: {
    audit: 183 | AUDIT_64BIT | AUDIT_LE,
    args32: false,
    nrBase: 0,
    table: AARCH64,
  },
};

const parsed = new Map<string, Map<string, number>>();

/** The number of syscall `name` on `arch`, or undefined when that ABI has no such syscall. */
export function syscallNumber(arch: string, name: string): number | undefined {
  const info = ARCHES[arch];
  if (!info) return undefined;
  let map = parsed.get(arch);
  if (!map) {
    const words = info.table.split(" ");
    map = new Map();
    for (let i = 0; i < words.length; i += 2) {
      map.set(words[i], info.nrBase + Number(words[i + 1]));
    }
    parsed.set(arch, map);
  }
  return map.get(name);
}
