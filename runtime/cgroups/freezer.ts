// Freezing: v1's freezer.state and v2's cgroup.freeze. Both settle asynchronously, so each
// operation returns only once the kernel reports the final state.
import { CgroupError, readFile, readOptional, sleepMs, writeFile } from "./files.ts";
import { readKeyValues } from "./stats-types.ts";
import type { FreezerState, Layout } from "./types.ts";

/** v1 can stay FREEZING while tasks keep forking; rewriting FROZEN (with an occasional thaw
 * to let stragglers settle, as runc learned) usually gets through within a few tries. */
export function freezeV1(dir: string): void {
  const file = `${dir}/freezer.state`;
  for (let i = 0; i < 1000; i++) {
    if (i % 50 === 49) {
      writeFile(file, "THAWED");
      sleepMs(10);
    }
    writeFile(file, "FROZEN");
    const state = readFile(file).trim();
    if (state === "FROZEN") return;
    if (state !== "FREEZING") {
      writeFile(file, "THAWED");
      throw new CgroupError(`unexpected freezer state "${state}" in ${dir}`);
    }
  }
  writeFile(file, "THAWED"); // half-frozen is worse than not frozen
  throw new CgroupError(`cannot freeze ${dir}: it stays FREEZING`);
}

export function thawV1(dir: string): void {
  writeFile(`${dir}/freezer.state`, "THAWED");
}

export function freezerStateV1(dir: string): FreezerState {
  for (;;) {
    const state = readOptional(`${dir}/freezer.state`)?.trim();
    if (state === undefined) return "UNDEFINED";
    if (state === "THAWED") return "THAWED";
    if (state === "FROZEN") {
      // Frozen only because an ancestor is: this cgroup itself was not paused.
      const self = readOptional(`${dir}/freezer.self_freezing`)?.trim();
      return self === "0" ? "THAWED" : "FROZEN";
    }
    sleepMs(1); // FREEZING: wait for it to settle
  }
}

function waitFrozen(dir: string, want: 0 | 1): void {
  for (let i = 0; i < 1000; i++) {
    if (readKeyValues(`${dir}/cgroup.events`).frozen === want) return;
    sleepMs(10);
  }
  throw new CgroupError(`${dir}: cgroup.events did not report "frozen ${want}" within 10s`);
}

export function freezeV2(dir: string): void {
  writeFile(`${dir}/cgroup.freeze`, "1");
  try {
    waitFrozen(dir, 1);
  } catch (e) {
    writeFile(`${dir}/cgroup.freeze`, "0");
    throw e;
  }
}

/** Not waited for: with a frozen ancestor the cgroup stays frozen, and that is not an error. */
export function thawV2(dir: string): void {
  writeFile(`${dir}/cgroup.freeze`, "0");
}

export function freezerStateV2(dir: string): FreezerState {
  const want = readOptional(`${dir}/cgroup.freeze`)?.trim();
  if (want === undefined) return "UNDEFINED";
  if (want === "0") return "THAWED";
  waitFrozen(dir, 1);
  return "FROZEN";
}

/**
 * The freezer state from a container's recorded directories (its state.json), without a
 * manager: the v1 freezer hierarchy, else the unified directory's cgroup.freeze.
 */
export function recordedFreezerState(
  record: { layout: Layout; paths: Record<string, string> },
): FreezerState {
  const v1 = record.layout === "v2" ? undefined : record.paths.freezer;
  if (v1) return freezerStateV1(v1);
  const unified = record.paths[""];
  if (unified && readOptional(`${unified}/cgroup.freeze`) !== undefined) {
    return freezerStateV2(unified);
  }
  return "UNDEFINED";
}
