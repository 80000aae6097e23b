// linux.resources → cgroup v2 control-file writes. Fields with no v2 equivalent are errors
// naming the field rather than silent no-ops; devices are not files on v2 (an eBPF program,
// see ebpf/) and so are not mapped here.
import type { LinuxResources } from "../../specs/resources.ts";
import { blkioToIoWeight, sharesToWeight, swapToV2 } from "./convert.ts";
import { fieldError } from "./files.ts";
import { cpuset, hugepageLimits, type Mapper, pids, rdma, THROTTLES, write } from "./mapping.ts";
import type { HostView, Write } from "./types.ts";

/** -1 → "max"; the v2 spelling of "unlimited". */
function max(n: number): string {
  return n === -1 ? "max" : String(n);
}

function unsupported(field: string, why = "has no cgroup v2 equivalent"): never {
  throw fieldError(field, why);
}

const memory: Mapper = (r, host) => {
  const m = r.memory;
  if (!m) return [];
  if (m.swappiness !== undefined) unsupported("memory.swappiness");
  if (m.disableOOMKiller) unsupported("memory.disableOOMKiller");
  if (m.useHierarchy === false) {
    unsupported("memory.useHierarchy", "cgroup v2 memory accounting is always hierarchical");
  }
  const out: Write[] = [];
  const limit = m.limit ?? 0;
  const swap = swapToV2(m.swap ?? 0, limit);
  if (m.checkBeforeUpdate && limit > 0) {
    // v1 refuses a limit below usage; v2 would OOM-kill instead. Mimic v1 when asked.
    const usage = Number(host.read("memory", "memory.current") ?? 0);
    if (limit < usage) {
      throw fieldError("memory.limit", `${limit} is below the current usage ${usage}`);
    }
  }
  if (swap !== 0 || (m.swap ?? 0) > 0) {
    // Without swap accounting the file is absent; "no swap limit" then needs no write.
    if (host.has("memory", "memory.swap.max")) {
      out.push(write("memory", "memory.swap.max", max(swap), "memory.swap"));
    } else if (swap > 0) {
      throw fieldError("memory.swap", "swap accounting is off in this kernel (no memory.swap.max)");
    }
  }
  if (limit !== 0) out.push(write("memory", "memory.max", max(limit), "memory.limit"));
  if (m.reservation) {
    out.push(write("memory", "memory.low", max(m.reservation), "memory.reservation"));
  }
  return out;
};

const cpu: Mapper = (r) => {
  const c = r.cpu;
  if (!c) return [];
  if (c.realtimeRuntime || c.realtimePeriod) {
    unsupported(c.realtimeRuntime ? "cpu.realtimeRuntime" : "cpu.realtimePeriod");
  }
  const out: Write[] = [];
  if (c.shares) out.push(write("cpu", "cpu.weight", sharesToWeight(c.shares), "cpu.shares"));
  if (c.idle !== undefined) out.push(write("cpu", "cpu.idle", c.idle, "cpu.idle"));
  if (c.burst !== undefined) {
    out.push({ ...write("cpu", "cpu.max.burst", c.burst, "cpu.burst"), retryAfterRest: true });
  }
  if (c.quota || c.period) {
    const quota = c.quota && c.quota > 0 ? String(c.quota) : "max";
    out.push(
      write(
        "cpu",
        "cpu.max",
        `${quota} ${c.period || 100000}`,
        c.quota ? "cpu.quota" : "cpu.period",
      ),
    );
  }
  return out;
};

const blockIO: Mapper = (r, host) => {
  const b = r.blockIO;
  if (!b) return [];
  if (b.leafWeight) unsupported("blockIO.leafWeight");
  // BFQ takes blkio-style weights itself; otherwise io.weight on its own 1..10000 scale.
  const bfq = host.has("io", "io.bfq.weight");
  const file = bfq ? "io.bfq.weight" : "io.weight";
  const weight = (w: number) => bfq ? w : blkioToIoWeight(w);
  const out: Write[] = [];
  if (b.weight) out.push(write("io", file, weight(b.weight), "blockIO.weight"));
  b.weightDevice?.forEach((d, i) => {
    const field = `blockIO.weightDevice[${i}]`;
    if (d.leafWeight) unsupported(`${field}.leafWeight`);
    if (d.weight) out.push(write("io", file, `${d.major}:${d.minor} ${weight(d.weight)}`, field));
  });
  for (const [key, , name] of THROTTLES) {
    b[key]?.forEach((d, i) => {
      const value = `${d.major}:${d.minor} ${name}=${d.rate}`;
      out.push(write("io", "io.max", value, `blockIO.${key}[${i}]`));
    });
  }
  return out;
};

const network: Mapper = (r) => {
  if (r.network?.classID !== undefined) unsupported("network.classID");
  if (r.network?.priorities?.length) unsupported("network.priorities");
  return [];
};

/** Keys are file names in the cgroup directory, "<controller>.<name>"; a multi-line value is
 * written line by line (io.max and friends take one device per write). */
const unified: Mapper = (r) =>
  Object.entries(r.unified ?? {}).flatMap(([key, value]) => {
    const dot = key.indexOf(".");
    if (key.includes("/") || dot <= 0) {
      throw fieldError(`unified.${key}`, 'must be a cgroup file name like "io.max"');
    }
    const lines = value.split("\n").filter((l) => l !== "");
    return (lines.length ? lines : [value]).map((l) =>
      write(key.slice(0, dot), key, l, `unified.${key}`)
    );
  });

/** One mapper per config section, in application order (same keys as v1Mappers, minus
 * devices). */
export const v2Mappers = {
  cpuset,
  memory,
  cpu,
  pids,
  blockIO,
  hugepageLimits: hugepageLimits("max"),
  network,
  rdma,
  unified,
} satisfies Record<string, Mapper>;

export function v2Writes(r: LinuxResources, host: HostView): Write[] {
  return Object.values(v2Mappers).flatMap((m) => m(r, host));
}
