// v1 → v2 value conversions, matching runc so a config means the same under either runtime.
import { fieldError } from "./files.ts";

/** cpu.shares (2..262144, default 1024) → cpu.weight (1..10000, default 100): a quadratic in
 * log2(shares) through (2, 1), (1024, 100) and (262144, 10000), so the default maps to the
 * default and ordering is kept. 0 = unset. */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
}

/** blkio.weight (10..1000) → io.weight (1..10000), linear. 0 = unset. */
export function blkioToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor((weight - 10) * 9999 / 990);
}

/** v1's memsw limit (memory + swap) → v2's memory.swap.max (swap alone). -1 = unlimited,
 * 0 = unset; a limit of -1 with swap unset means both unlimited. */
export function swapToV2(swap: number, limit: number): number {
  if (limit === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0 || limit === -1) return swap;
  if (limit === 0) throw fieldError("memory.swap", "a swap limit needs memory.limit on cgroup v2");
  if (swap < limit) {
    throw fieldError("memory.swap", "must be >= memory.limit (it counts memory plus swap)");
  }
  return swap - limit;
}
