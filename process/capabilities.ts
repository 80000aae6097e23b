// Capability masks for capset(2), from the names validation accepts (index = bit number).
import { CAPABILITIES, capabilityBit } from "../specs/capabilities.ts";
import { bytes } from "./sys-args.ts";

/** Bit mask of a list of names; unknown names (newer than this table) are skipped. */
export function capMask(names: readonly string[] = []): bigint {
  let mask = 0n;
  for (const n of names) {
    const bit = capabilityBit(n);
    if (bit !== undefined) mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** Names of the bits set in `mask`. */
export function capNames(mask: bigint): string[] {
  return CAPABILITIES.filter((_, bit) => mask & (1n << BigInt(bit)));
}

/** capset(2)/capget(2)'s header, version 3: 64-bit sets in two 32-bit halves. */
export function capHeader(): Uint8Array<ArrayBuffer> {
  return bytes(new Uint32Array([0x20080522, 0]));
}
