// JSON uint64 values as the kernel takes them. JSON.parse rounds 2^64-1 (RLIM_INFINITY, "all
// bits") up to 2^64, which BigInt keeps and a 64-bit slot wraps to 0; validation has already
// refused anything truly above 2^64-1 (exact-integers.ts). No zod here: the init imports it.

/** A validated uint64 JSON number as a bigint. */
export function toUint64(n: number): bigint {
  return n >= 2 ** 64 ? 0xffffffffffffffffn : BigInt(n);
}
