// Code kept out of the command bundles, each part a bundle of its own (runtime/bundles.ts), which
// most calls never run: zod and the schemas (the checks of config.json, process.json and
// runtime.json), the cgroup managers for `kill` and `delete` (only --all, a paused container, a
// forced delete or one of a container sharing a pid namespace need them; each KB of a bundle
// costs ~0.065 ms of every call), the systemd cgroup driver, the seccomp compiler with its
// syscall tables, the hooks with the spawn code they need, and LinuxKit's runtime.json with its
// netlink client; and the zod-free checks of a config.json, which create runs once the
// container's init is spawned (in create's bundle, parsing them would delay the spawn by ~3 ms).
// Loaded on first use: a bundled command imports the part's bundle; from source, and compiled,
// it is a plain import, kept out of the command bundles by its computed specifier.
import type * as Checks from "../specs/checks.ts";
import type * as FastChecks from "../specs/fast-config.ts";
import type * as Systemd from "./cgroups/systemd/manager.ts";
import type * as Cgroups from "./cgroups/driver.ts";
import type * as Seccomp from "../process/seccomp/compile.ts";
import type * as Hooks from "../process/hooks.ts";
import type * as LinuxKit from "./linuxkit/execute.ts";
import { BUNDLED, importPart, PARTS } from "./bundles.ts";

interface Parts {
  checks: typeof Checks;
  fastChecks: typeof FastChecks;
  systemd: typeof Systemd;
  cgroups: typeof Cgroups;
  seccomp: typeof Seccomp;
  hooks: typeof Hooks;
  linuxkit: typeof LinuxKit;
}

declare global {
  /** Filled by each part's bundle when it is evaluated. */
  var tsrunParts: Partial<Parts> | undefined;
}

async function load<K extends keyof Parts>(name: K): Promise<Parts[K]> {
  if (!BUNDLED) return await import(new URL(`../${PARTS[name]}`, import.meta.url).href);
  if (!globalThis.tsrunParts?.[name]) await importPart(name);
  return globalThis.tsrunParts![name]!;
}

export const checks = (): Promise<typeof Checks> => load("checks");
export const fastChecks = (): Promise<typeof FastChecks> => load("fastChecks");
export const systemd = (): Promise<typeof Systemd> => load("systemd");
export const cgroups = (): Promise<typeof Cgroups> => load("cgroups");
export const seccomp = (): Promise<typeof Seccomp> => load("seccomp");
export const hooks = (): Promise<typeof Hooks> => load("hooks");
export const linuxkit = (): Promise<typeof LinuxKit> => load("linuxkit");
