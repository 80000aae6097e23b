// One import for test files: bundles, the CLI runner, skips and leftover checks.
export {
  buildRootfs,
  type Bundle,
  type BundleOptions,
  makeBundle,
  REPO_ROOT,
  writeBundle,
} from "./rootfs.ts";
export { type Config, defaultConfig } from "./config.ts";
export { type RunOptions, type RunResult, stateRoot, TSRUN, tsrun } from "./tsrun.ts";
export { emulated, hasCommand, requireRoot, skipUnless } from "./skip.ts";
export {
  assertNothingLeft,
  cgroupsMatching,
  type Leftovers,
  leftovers,
  mountsUnder,
  processesMatching,
  type ProcessInfo,
} from "./leftovers.ts";
export { findBusybox, isStaticElf } from "./busybox.ts";
export { containerStatus, readOr, until } from "./wait.ts";
