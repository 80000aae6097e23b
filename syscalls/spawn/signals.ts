// Signal sets of the calling thread, as /proc shows them, and the kernel's signal ABI the
// spawn steps use (the same on x86-64 and aarch64).

export const SIG_SETMASK = 2;
/** The kernel's sigset_t: 64 signals. */
export const SIGSET_SIZE = 8;
/** struct sigaction as the kernel takes it (handler, flags, restorer, mask); zero = SIG_DFL. */
export const KERNEL_SIGACTION_SIZE = 32;

/** The signals in /proc/thread-self/status's `field` line (SigIgn: ignored, SigCgt: handled). */
export function signalSet(field: "SigIgn" | "SigCgt"): number[] {
  const status = Deno.readTextFileSync("/proc/thread-self/status");
  const hex = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, "m").exec(status)?.[1];
  if (!hex) throw new Error(`spawn: no ${field} line in /proc/thread-self/status`);
  const set = BigInt(`0x${hex}`);
  const out: number[] = [];
  for (let sig = 1; sig <= 64; sig++) if (set & (1n << BigInt(sig - 1))) out.push(sig);
  return out;
}
