// Capability masks for capset(2), from the names validation accepts (index = bit number), and
// what this process can actually grant.
import { CAPABILITIES, capabilityBit } from "../specs/capabilities.ts";
import { libc } from "../syscalls/libc.ts";
import { bytes, sysArgs } from "./sys-args.ts";

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

/**
 * Capabilities this thread holds in both its permitted and its bounding set: the only ones it
 * can pass on (a runtime in a restricted environment may lack some, e.g. CAP_SYS_RESOURCE).
 */
export function grantableCaps(): bigint {
  const header = new Uint32Array([0x20080522, 0]);
  const data = new Uint32Array(6);
  sysArgs("capget", [bytes(header), bytes(data)]);
  const permitted = BigInt(data[1]) | (BigInt(data[4]) << 32n);
  const PR_CAPBSET_READ = 23;
  let bounding = 0n;
  for (let bit = 0; bit < 64; bit++) {
    const r = libc().prctl(PR_CAPBSET_READ, BigInt(bit), 0n, 0n, 0n);
    if (r < 0) break; // past the kernel's last capability
    if (r === 1) bounding |= 1n << BigInt(bit);
  }
  return permitted & bounding;
}
