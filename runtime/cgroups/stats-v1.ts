// Statistics from cgroup v1 controllers, in runc's field meanings.
import { readOptional } from "./files.ts";
import {
  type BlkioEntry,
  type CgroupStats,
  hugePageSizes,
  type MemoryEntry,
  readKeyValues,
  readNumber,
} from "./stats-types.ts";

/** cpuacct.stat counts USER_HZ ticks; Linux fixes USER_HZ at 100 on every architecture. */
const NS_PER_TICK = 1e9 / 100;

/** Fills `s` from the v1 directories given per controller (absent controllers are skipped). */
export function collectV1(
  dirFor: (controller: string) => string | undefined,
  s: CgroupStats,
): void {
  const cpuacct = dirFor("cpuacct");
  if (cpuacct) {
    const list = (f: string) =>
      readOptional(`${cpuacct}/${f}`)?.trim().split(/\s+/).filter((x) => x !== "").map(Number);
    s.cpu.usage.total = readNumber(`${cpuacct}/cpuacct.usage`);
    s.cpu.usage.percpu = list("cpuacct.usage_percpu");
    s.cpu.usage.percpu_kernel = list("cpuacct.usage_percpu_sys");
    s.cpu.usage.percpu_user = list("cpuacct.usage_percpu_user");
    const ticks = readKeyValues(`${cpuacct}/cpuacct.stat`);
    s.cpu.usage.user = (ticks.user ?? 0) * NS_PER_TICK;
    s.cpu.usage.kernel = (ticks.system ?? 0) * NS_PER_TICK;
  }
  const cpu = dirFor("cpu");
  if (cpu) {
    const st = readKeyValues(`${cpu}/cpu.stat`);
    s.cpu.throttling = {
      periods: st.nr_periods,
      throttledPeriods: st.nr_throttled,
      throttledTime: st.throttled_time,
    };
  }
  const memory = dirFor("memory");
  if (memory) {
    const raw = readKeyValues(`${memory}/memory.stat`);
    s.memory.raw = raw;
    s.memory.cache = raw.cache;
    const entry = (prefix: string): MemoryEntry => ({
      usage: readNumber(`${memory}/${prefix}usage_in_bytes`),
      max: readNumber(`${memory}/${prefix}max_usage_in_bytes`),
      limit: readNumber(`${memory}/${prefix}limit_in_bytes`) ?? 0,
      failcnt: readNumber(`${memory}/${prefix}failcnt`) ?? 0,
    });
    s.memory.usage = entry("memory.");
    s.memory.swap = entry("memory.memsw.");
    s.memory.kernel = entry("memory.kmem.");
    s.memory.kernelTCP = entry("memory.kmem.tcp.");
  }
  const pids = dirFor("pids");
  if (pids) {
    s.pids = {
      current: readNumber(`${pids}/pids.current`),
      limit: readNumber(`${pids}/pids.max`, 0),
    };
  }
  const blkio = dirFor("blkio");
  if (blkio) {
    // Whichever accounting the kernel has: BFQ's, CFQ's, or the throttle layer's.
    const first = (metric: string) => {
      for (
        const f of [
          `bfq.${metric}_recursive`,
          `${metric}_recursive`,
          `throttle.${metric}_recursive`,
          `throttle.${metric}`,
        ]
      ) {
        const entries = parseBlkio(readOptional(`${blkio}/blkio.${f}`) ?? "");
        if (entries.length > 0) return entries;
      }
      return [];
    };
    s.blkio = {
      ioServiceBytesRecursive: first("io_service_bytes"),
      ioServicedRecursive: first("io_serviced"),
    };
  }
  const hugetlb = dirFor("hugetlb");
  if (hugetlb) {
    for (const size of hugePageSizes()) {
      const p = `${hugetlb}/hugetlb.${size}`;
      s.hugetlb[size] = {
        usage: readNumber(`${p}.usage_in_bytes`),
        max: readNumber(`${p}.max_usage_in_bytes`),
        failcnt: readNumber(`${p}.failcnt`) ?? 0,
      };
    }
  }
}

/** "8:0 Read 1282048" lines; the closing "Total N" line has no device and is skipped. */
export function parseBlkio(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):(\d+) (?:(\w+) )?(\d+)$/.exec(line.trim());
    if (m) out.push({ major: +m[1], minor: +m[2], op: m[3] ?? "", value: +m[4] });
  }
  return out;
}
