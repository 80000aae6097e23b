// Statistics from a cgroup v2 directory, in runc's field meanings (times in nanoseconds).
import { readOptional } from "./files.ts";
import {
  type BlkioEntry,
  type CgroupStats,
  hugePageSizes,
  readKeyValues,
  readNumber,
  UNLIMITED,
} from "./stats-types.ts";

export function collectV2(dir: string, s: CgroupStats): void {
  const cpu = readKeyValues(`${dir}/cpu.stat`);
  const ns = (us?: number) => us === undefined ? undefined : us * 1000;
  s.cpu.usage.total = ns(cpu.usage_usec);
  s.cpu.usage.user = ns(cpu.user_usec) ?? 0;
  s.cpu.usage.kernel = ns(cpu.system_usec) ?? 0;
  s.cpu.throttling = {
    periods: cpu.nr_periods,
    throttledPeriods: cpu.nr_throttled,
    throttledTime: ns(cpu.throttled_usec),
  };

  const usage = readNumber(`${dir}/memory.current`);
  if (usage !== undefined) {
    const raw = readKeyValues(`${dir}/memory.stat`);
    s.memory.raw = raw;
    s.memory.cache = raw.file;
    const limit = readNumber(`${dir}/memory.max`) ?? UNLIMITED;
    s.memory.usage = {
      usage,
      limit,
      max: readNumber(`${dir}/memory.peak`),
      failcnt: readKeyValues(`${dir}/memory.events`).max ?? 0,
    };
    // v1's memsw counts memory plus swap; report v2's swap the same way.
    const swap = readNumber(`${dir}/memory.swap.current`) ?? 0;
    const swapMax = readNumber(`${dir}/memory.swap.max`) ?? UNLIMITED;
    s.memory.swap = {
      usage: usage + swap,
      limit: swapMax === UNLIMITED || limit === UNLIMITED ? UNLIMITED : swapMax + limit,
      failcnt: 0,
    };
  }

  const current = readNumber(`${dir}/pids.current`);
  if (current !== undefined) s.pids = { current, limit: readNumber(`${dir}/pids.max`, 0) };

  const io = parseIoStat(readOptional(`${dir}/io.stat`) ?? "");
  s.blkio = { ioServiceBytesRecursive: io.bytes, ioServicedRecursive: io.ios };

  collectHugetlbV2(dir, s);
}

/** hugetlb on cgroup v2; also used for hybrid hosts whose hugetlb lives in the unified tree. */
export function collectHugetlbV2(dir: string, s: CgroupStats): void {
  for (const size of hugePageSizes()) {
    const p = `${dir}/hugetlb.${size}`;
    const usage = readNumber(`${p}.rsvd.current`) ?? readNumber(`${p}.current`);
    if (usage === undefined) continue;
    // runc's "max" is peak usage, which v2 does not keep: left out (hugetlb.*.max is the limit).
    s.hugetlb[size] = { usage, failcnt: readKeyValues(`${p}.events`).max ?? 0 };
  }
}

/** "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." → runc's Read/Write entries. */
export function parseIoStat(text: string): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [], ios: BlkioEntry[] = [];
  for (const line of text.split("\n")) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? "");
    if (!m) continue;
    const kv = Object.fromEntries(pairs.map((p) => p.split("=")));
    const entry = (op: string, v: string | undefined) =>
      v === undefined ? [] : [{ major: +m[1], minor: +m[2], op, value: Number(v) }];
    bytes.push(...entry("Read", kv.rbytes), ...entry("Write", kv.wbytes));
    ios.push(...entry("Read", kv.rios), ...entry("Write", kv.wios));
  }
  return { bytes, ios };
}
