// linux.resources → the systemd unit properties that carry them, as runc's systemd driver sets
// them: so systemd's view of the scope matches its files, and systemd re-applying its settings
// (a daemon-reload, an update) does not undo a limit. What systemd has no property for is
// written to the scope's files by the cgroupfs writers afterwards (see manager.ts).
import type { LinuxResources } from "../../../specs/resources.ts";
import type { Variant } from "../../dbus/wire.ts";
import { blkioToIoWeight, sharesToWeight, swapToV2 } from "../convert.ts";
import { normalizeDeviceRules, type NormalRule } from "../devices.ts";
import { fieldError } from "../files.ts";
import type { Layout } from "../types.ts";

export type Property = [string, Variant];

/** systemd's "infinity" for the uint64 limits. */
export const INFINITY = 0xffff_ffff_ffff_ffffn;

const limit = (n: number) => n < 0 ? INFINITY : BigInt(n);

/** "0-2,5" → systemd's CPU/NUMA-node bitmask: bit i of byte i/8 for each listed number. */
export function cpusetMask(list: string, field: string): number[] {
  const bytes: number[] = [];
  for (const part of list.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const lo = Number(m?.[1]), hi = Number(m?.[2] ?? m?.[1]);
    if (!m || hi < lo || hi > 8191) throw fieldError(field, `"${list}" is not a list like 0-3,5`);
    for (let i = lo; i <= hi; i++) {
      while (bytes.length <= i >> 3) bytes.push(0);
      bytes[i >> 3] |= 1 << (i & 7);
    }
  }
  return bytes;
}

/** CPU quota per period → systemd's quota per second, rounded up to the 10 ms it keeps. */
function quotaPerSec(quota: number, period: number): bigint {
  if (quota <= 0) return INFINITY;
  const perSec = Math.ceil((quota * 1_000_000) / period);
  return BigInt(Math.ceil(perSec / 10_000) * 10_000);
}

/** The name systemd's DeviceAllow= knows a device group by: "char-pts" for major 136. */
function deviceGroup(type: "b" | "c", major: number, devices: string): string | undefined {
  const section = type === "c" ? "Character devices:" : "Block devices:";
  let inSection = false;
  for (const line of devices.split("\n")) {
    if (line.endsWith(":")) inSection = line === section;
    const m = /^\s*(\d+) (\S+)$/.exec(line);
    if (inSection && m && Number(m[1]) === major) {
      return `${type === "c" ? "char" : "block"}-${m[2]}`;
    }
  }
  return undefined;
}

/**
 * DevicePolicy= and DeviceAllow= for a rule list (evaluated last match wins, default deny).
 * systemd has allow-lists only: after an allow-all it is told to allow everything, and single
 * denies are left to the cgroupfs writers (exact until systemd re-applies its own settings); in
 * a default-deny list single denies are dropped, so systemd allows at most what the allows name.
 * A wildcard-minor rule whose major /proc/devices does not name is dropped, as runc does.
 */
export function deviceProperties(rules: NormalRule[], procDevices: string): Property[] {
  const lastAll = rules.findLastIndex((r) => r.type === "a");
  if (lastAll >= 0 && rules[lastAll].allow) {
    return [["DevicePolicy", ["s", "auto"]], ["DeviceAllow", ["a(ss)", []]]];
  }
  const allow: [string, string][] = [];
  const allows = rules.slice(lastAll + 1).filter((r) => r.allow);
  for (const r of allows as (NormalRule & { type: "b" | "c" })[]) {
    const kind = r.type === "c" ? "char" : "block";
    const node = r.major === undefined
      ? `${kind}-*`
      : r.minor === undefined
      ? deviceGroup(r.type, r.major, procDevices)
      : `/dev/${kind}/${r.major}:${r.minor}`;
    if (node !== undefined) allow.push([node, r.access]);
  }
  return [["DevicePolicy", ["s", "strict"]], ["DeviceAllow", ["a(ss)", allow]]];
}

/** The properties for `r` on a host of `layout` (hybrid hosts: systemd drives v1). */
export function resourceProperties(
  r: LinuxResources,
  layout: Layout,
  procDevices = "",
): Property[] {
  const v2 = layout === "v2";
  const out: Property[] = [];
  const t = (name: string, value: bigint) => out.push([name, ["t", value]]);
  const m = r.memory;
  if (m?.limit) t(v2 ? "MemoryMax" : "MemoryLimit", limit(m.limit));
  if (v2 && m?.reservation) t("MemoryLow", limit(m.reservation));
  if (v2 && (m?.swap || m?.limit === -1)) {
    const swap = swapToV2(m.swap ?? 0, m.limit ?? 0);
    if (swap !== 0) t("MemorySwapMax", limit(swap));
  }
  const c = r.cpu;
  if (c?.shares) {
    t(v2 ? "CPUWeight" : "CPUShares", BigInt(v2 ? sharesToWeight(c.shares) : c.shares));
  }
  if (c?.period) t("CPUQuotaPeriodUSec", BigInt(c.period));
  if (c?.quota || c?.period) {
    t("CPUQuotaPerSecUSec", quotaPerSec(c.quota ?? 0, c.period || 100_000));
  }
  if (v2 && c?.cpus) out.push(["AllowedCPUs", ["ay", cpusetMask(c.cpus, "cpu.cpus")]]);
  if (v2 && c?.mems) out.push(["AllowedMemoryNodes", ["ay", cpusetMask(c.mems, "cpu.mems")]]);
  if (r.pids?.limit) t("TasksMax", limit(r.pids.limit));
  const weight = r.blockIO?.weight;
  if (weight) t(v2 ? "IOWeight" : "BlockIOWeight", BigInt(v2 ? blkioToIoWeight(weight) : weight));
  if (r.devices) out.push(...deviceProperties(normalizeDeviceRules(r.devices), procDevices));
  return out;
}

/** What every container's scope gets besides its resources. */
export function scopeProperties(
  description: string,
  slice: string,
  pid: number,
  layout: Layout,
): Property[] {
  return [
    ["Description", ["s", description]],
    ["Slice", ["s", slice]],
    ["PIDs", ["au", [pid]]],
    // The container manages its own sub-cgroups; systemd leaves them alone.
    ["Delegate", ["b", true]],
    // Not ordered before shutdown.target and the like: a container stops when its engine says.
    ["DefaultDependencies", ["b", false]],
    ["MemoryAccounting", ["b", true]],
    ["CPUAccounting", ["b", true]],
    ["TasksAccounting", ["b", true]],
    [layout === "v2" ? "IOAccounting" : "BlockIOAccounting", ["b", true]],
  ];
}
