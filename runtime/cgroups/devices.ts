// Device access rules in one normal form for both the v1 devices files and the v2 eBPF program.
import type { DeviceRule } from "../../specs/resources.ts";

export interface NormalRule {
  allow: boolean;
  type: "a" | "b" | "c";
  /** undefined = any number (the "*" of the v1 syntax). */
  major?: number;
  minor?: number;
  /** Subset of "rwm", never empty. */
  access: string;
}

/** Devices every container may use whatever its config says — the ones runtime-spec requires
 * in /dev (null, zero, full, random, urandom, tty, console, ptmx, pts) plus mknod of anything,
 * so an image can ship device nodes it then cannot open. Same set as runc and crun. */
export const DEFAULT_DEVICE_RULES: readonly NormalRule[] = [
  { allow: true, type: "c", access: "m" },
  { allow: true, type: "b", access: "m" },
  { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 8, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 7, access: "rwm" },
  { allow: true, type: "c", major: 5, minor: 0, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 5, access: "rwm" },
  { allow: true, type: "c", major: 1, minor: 9, access: "rwm" },
  { allow: true, type: "c", major: 5, minor: 1, access: "rwm" },
  { allow: true, type: "c", major: 136, access: "rwm" },
  { allow: true, type: "c", major: 5, minor: 2, access: "rwm" },
];

/** Config rules in order, then the defaults; "all" for unset type/numbers, "rwm" for unset
 * access. Type "a" means every device with every access, whatever else the rule says (as the
 * v1 kernel reads it). The result is evaluated "last matching rule wins, default deny". */
export function normalizeDeviceRules(rules: DeviceRule[]): NormalRule[] {
  const own = rules.map((r): NormalRule => {
    const type = (r.type ?? "a") as NormalRule["type"];
    if (type === "a") return { allow: r.allow, type, access: "rwm" };
    const num = (n?: number) => n === undefined || n < 0 ? undefined : n;
    return {
      allow: r.allow,
      type,
      major: num(r.major),
      minor: num(r.minor),
      access: r.access || "rwm",
    };
  });
  return [...own, ...DEFAULT_DEVICE_RULES];
}

/** "c 1:3 rwm" — the v1 devices.allow/devices.deny syntax. */
export function formatRule(r: NormalRule): string {
  if (r.type === "a") return "a";
  return `${r.type} ${r.major ?? "*"}:${r.minor ?? "*"} ${r.access}`;
}
