// Every semantic check of a config, in the order their problems are reported.
import { checkResources } from "./resources.ts";
import type { Problem } from "../problem.ts";
import type { Config } from "../schema/config.ts";
import { checkAnnotations } from "./annotations.ts";
import type { Check, CheckContext } from "./context.ts";
import { checkDevices } from "./devices.ts";
import { checkHooks } from "./hooks.ts";
import { checkLinuxPaths } from "./linux-paths.ts";
import { checkMiscLinux } from "./misc-linux.ts";
import { checkMounts } from "./mounts.ts";
import { checkNamespaces } from "./namespaces.ts";
import { checkNetDevices } from "./net-devices.ts";
import { checkConfigProcess } from "./process.ts";
import { checkRoot } from "./root.ts";
import { checkSeccomp } from "./seccomp.ts";
import { checkSysctl } from "./sysctl.ts";
import { checkUnsupported } from "./unsupported.ts";
import { checkUts } from "./uts.ts";
import { checkVersion } from "./version.ts";

const checkLinuxResources: Check = (config) =>
  config.linux?.resources ? checkResources(config.linux.resources, "/linux/resources") : [];

/** Each check with the parts of the config it reads (JSON pointers), so it can be skipped. */
const CHECKS: readonly (readonly [Check, readonly string[]])[] = [
  [checkVersion, ["/ociVersion"]],
  [checkRoot, ["/root"]],
  [checkConfigProcess, ["/process"]],
  [checkUts, ["/hostname", "/domainname", "/linux/namespaces"]],
  [checkMounts, ["/mounts"]],
  [checkHooks, ["/hooks"]],
  [checkAnnotations, ["/annotations"]],
  [checkNamespaces, [
    "/linux/namespaces",
    "/linux/uidMappings",
    "/linux/gidMappings",
    "/linux/timeOffsets",
    "/linux/maskedPaths",
    "/linux/readonlyPaths",
    "/mounts",
  ]],
  [checkDevices, ["/linux/devices"]],
  [checkLinuxResources, ["/linux/resources"]],
  [checkSysctl, ["/linux/sysctl", "/linux/namespaces"]],
  [checkSeccomp, ["/linux/seccomp"]],
  [checkLinuxPaths, ["/linux/maskedPaths", "/linux/readonlyPaths"]],
  [checkNetDevices, ["/linux/netDevices", "/linux/namespaces"]],
  [checkMiscLinux, ["/linux/intelRdt", "/linux/personality", "/linux/cgroupsPath"]],
  [checkUnsupported, [
    "/process",
    "/mounts",
    "/linux/seccomp",
    "/linux/mountLabel",
    "/linux/intelRdt",
    "/linux/netDevices",
    "/linux/resources",
    "/linux/personality",
    "/linux/namespaces",
  ]],
];

const within = (a: string, b: string) => a === b || a.startsWith(b + "/");

/**
 * Runs every check that reads none of the `broken` parts (JSON pointers of values that failed
 * the schema and were left out of `config`), so one run reports all it can.
 */
export function checkConfig(
  config: Config,
  ctx: CheckContext,
  broken: readonly string[] = [],
): Problem[] {
  return CHECKS
    .filter(([, reads]) => !reads.some((r) => broken.some((b) => within(r, b) || within(b, r))))
    .flatMap(([check]) => check(config, ctx));
}
