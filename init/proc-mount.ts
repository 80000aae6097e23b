// What may be mounted on or under the container's /proc (runc's checkProcMount): a procfs on
// /proc itself, and over single files only those that tools such as lxcfs emulate. Anything else
// could hide the masks on /proc or redirect writes to /proc/sys.
import type { MountStep } from "./plan.ts";

const PROC_SUPER_MAGIC = 0x9fa0;

const EMULATED = new Set([
  "/proc/cpuinfo",
  "/proc/diskstats",
  "/proc/meminfo",
  "/proc/stat",
  "/proc/swaps",
  "/proc/uptime",
  "/proc/loadavg",
  "/proc/slabinfo",
  "/proc/sys/kernel/ns_last_pid",
  "/proc/sys/crypto/fips_enabled",
]);

/**
 * Throws unless `step` may be mounted at `dest` (its real path inside the rootfs).
 * `sourceFsType` is the statfs f_type of a bind source.
 */
export function checkProcMount(
  dest: string,
  step: Pick<MountStep, "bind" | "type">,
  sourceFsType?: number,
): void {
  if (dest !== "/proc" && !dest.startsWith("/proc/")) return;
  if (dest === "/proc") {
    if (step.bind ? sourceFsType === PROC_SUPER_MAGIC : step.type === "proc") return;
    throw new Error(`${dest} cannot be mounted because it is not of type proc`);
  }
  if (!EMULATED.has(dest)) throw new Error(`${dest} cannot be mounted because it is inside /proc`);
}
