// The `runc events --stats` JSON shape, so tools that parse runc's output can parse ours.
// Numbers are JS numbers: byte counts beyond 2^53 (the "unlimited" sentinels) lose their last
// digits, which no consumer relies on.
import { readOptional } from "./files.ts";

export interface MemoryEntry {
  limit: number;
  usage?: number;
  max?: number;
  failcnt: number;
}

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CgroupStats {
  cpu: {
    usage: {
      total?: number;
      percpu?: number[];
      percpu_kernel?: number[];
      percpu_user?: number[];
      kernel: number;
      user: number;
    };
    throttling: { periods?: number; throttledPeriods?: number; throttledTime?: number };
  };
  memory: {
    cache?: number;
    usage: MemoryEntry;
    swap: MemoryEntry;
    kernel: MemoryEntry;
    kernelTCP: MemoryEntry;
    raw?: Record<string, number>;
  };
  pids: { current?: number; limit?: number };
  blkio: { ioServiceBytesRecursive?: BlkioEntry[]; ioServicedRecursive?: BlkioEntry[] };
  hugetlb: Record<string, { usage?: number; max?: number; failcnt: number }>;
}

export interface StatsEvent {
  type: "stats";
  id: string;
  data: CgroupStats;
}

/** 2^64-1, what runc reports for an unlimited v2 value ("max"). */
export const UNLIMITED = 18446744073709551615;

export function emptyStats(): CgroupStats {
  const entry = () => ({ limit: 0, failcnt: 0 });
  return {
    cpu: { usage: { kernel: 0, user: 0 }, throttling: {} },
    memory: { usage: entry(), swap: entry(), kernel: entry(), kernelTCP: entry() },
    pids: {},
    blkio: {},
    hugetlb: {},
  };
}

/** A control file holding one number; "max" reads as `unlimited`; absent reads as undefined. */
export function readNumber(path: string, unlimited = UNLIMITED): number | undefined {
  const text = readOptional(path)?.trim();
  if (text === undefined || text === "") return undefined;
  return text === "max" ? unlimited : Number(text);
}

/** "key value" lines (memory.stat, cpu.stat, cgroup.events) → map. */
export function readKeyValues(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (readOptional(path) ?? "").split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** Huge page sizes this kernel offers, in the control files' spelling ("2MB", "1GB"). */
export function hugePageSizes(): string[] {
  try {
    return [...Deno.readDirSync("/sys/kernel/mm/hugepages")]
      .map((e) => /^hugepages-(\d+)kB$/.exec(e.name))
      .filter((m) => m !== null)
      .map((m) => pageSizeName(Number(m[1])))
      .sort();
  } catch {
    return [];
  }
}

export function pageSizeName(kB: number): string {
  const units = ["KB", "MB", "GB", "TB"];
  let i = 0;
  while (kB >= 1024 && kB % 1024 === 0 && i < units.length - 1) {
    kB /= 1024;
    i++;
  }
  return `${kB}${units[i]}`;
}

/** Drops unset and zero numbers and empty lists, as runc's `omitempty` does, except the
 * fields runc always prints. */
export function omitEmpty<T>(value: T): T {
  const keep = new Set(["kernel", "user", "limit", "failcnt"]);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (k === "raw") { // a verbatim map of the kernel's counters, zeros included
        out[k] = x;
        continue;
      }
      if (!keep.has(k) && (x === 0 || (Array.isArray(x) && x.length === 0))) continue;
      out[k] = walk(x);
    }
    return out;
  };
  return walk(value) as T;
}
