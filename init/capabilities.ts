// Capability masks for capset(2), from the names validation accepts (index = bit number).
import { capabilityBit } from "../specs/capabilities.ts";

/** Bit mask of a list of names; unknown names (newer than this table) are skipped. */
export function capMask(names: readonly string[] = []): bigint {
  let mask = 0n;
  for (const n of names) {
    const bit = capabilityBit(n);
    if (bit !== undefined) mask |= 1n << BigInt(bit);
  }
  return mask;
}
