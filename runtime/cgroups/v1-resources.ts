// linux.resources → cgroup v1 control-file writes, in the order they must happen. Pure apart
// from what it asks `host` (which files this kernel has, the current memory limit). A value of
// 0 means "unset" wherever the kernel would reject 0 anyway (as in runc).
import type { LinuxResources } from "../../specs/resources.ts";
import { formatRule, normalizeDeviceRules } from "./devices.ts";
import { fieldError } from "./files.ts";
import { cpuset, hugepageLimits, type Mapper, pids, rdma, THROTTLES, write } from "./mapping.ts";
import type { HostView, Write } from "./types.ts";

const MEMSW = "memory.memsw.limit_in_bytes";

// Starting from "deny everything" makes the result independent of what was allowed before.
const devices: Mapper = (r) => {
  if (!r.devices) return [];
  const n = r.devices.length;
  return [
    write("devices", "devices.deny", "a", "devices"),
    ...normalizeDeviceRules(r.devices).map((rule, i) =>
      write(
        "devices",
        rule.allow ? "devices.allow" : "devices.deny",
        formatRule(rule),
        i < n ? `devices[${i}]` : "devices (default rules)",
      )
    ),
  ];
};

const memory: Mapper = (r, host) => {
  const m = r.memory;
  if (!m) return [];
  const limit = m.limit ?? 0;
  const hasSwap = host.has("memory", MEMSW);
  // Unlimited memory with swap unset means unlimited memory+swap too.
  const swap = limit === -1 && !m.swap && hasSwap ? -1 : m.swap ?? 0;
  if (swap !== 0 && !hasSwap) {
    throw fieldError("memory.swap", `swap accounting is off in this kernel (no ${MEMSW})`);
  }
  const limitW = limit !== 0
    ? [write("memory", "memory.limit_in_bytes", limit, "memory.limit")]
    : [];
  const swapW = swap !== 0 ? [write("memory", MEMSW, swap, "memory.swap")] : [];
  // The kernel keeps memsw >= limit after every write: when swap grows past the current
  // limit it has to go first, otherwise the limit has to shrink first.
  const current = Number(host.read("memory", "memory.limit_in_bytes") ?? 0);
  const swapFirst = limit !== 0 && swap !== 0 && (swap === -1 || current < swap);
  const out = swapFirst ? [...swapW, ...limitW] : [...limitW, ...swapW];
  if (m.reservation) {
    out.push(write("memory", "memory.soft_limit_in_bytes", m.reservation, "memory.reservation"));
  }
  if (m.swappiness !== undefined) {
    out.push(write("memory", "memory.swappiness", m.swappiness, "memory.swappiness"));
  }
  if (m.disableOOMKiller !== undefined) {
    out.push(write("memory", "memory.oom_control", +m.disableOOMKiller, "memory.disableOOMKiller"));
  }
  if (m.useHierarchy !== undefined) {
    out.push(write("memory", "memory.use_hierarchy", +m.useHierarchy, "memory.useHierarchy"));
  }
  // kernel/kernelTCP: ignored (the checks warn); checkBeforeUpdate: v1 refuses a limit below
  // usage by itself (EBUSY).
  return out;
};

const cpu: Mapper = (r) => {
  const c = r.cpu;
  if (!c) return [];
  const out: Write[] = [];
  if (c.shares) out.push(write("cpu", "cpu.shares", c.shares, "cpu.shares"));
  if (c.period) {
    out.push({
      ...write("cpu", "cpu.cfs_period_us", c.period, "cpu.period"),
      retryAfterRest: true,
    });
  }
  if (c.quota) out.push(write("cpu", "cpu.cfs_quota_us", c.quota, "cpu.quota"));
  if (c.burst !== undefined) {
    out.push({ ...write("cpu", "cpu.cfs_burst_us", c.burst, "cpu.burst"), retryAfterRest: true });
  }
  if (c.realtimePeriod) {
    const w = write("cpu", "cpu.rt_period_us", c.realtimePeriod, "cpu.realtimePeriod");
    out.push({ ...w, retryAfterRest: true });
  }
  if (c.realtimeRuntime) {
    out.push(write("cpu", "cpu.rt_runtime_us", c.realtimeRuntime, "cpu.realtimeRuntime"));
  }
  if (c.idle !== undefined) out.push(write("cpu", "cpu.idle", c.idle, "cpu.idle"));
  return out;
};

const blockIO: Mapper = (r, host) => {
  const b = r.blockIO;
  if (!b) return [];
  // Kernels without CFQ (5.0+) only have BFQ's weight files.
  const bfq = !host.has("blkio", "blkio.weight") && host.has("blkio", "blkio.bfq.weight");
  const weightFile = bfq ? "blkio.bfq.weight" : "blkio.weight";
  const out: Write[] = [];
  if (b.weight) out.push(write("blkio", weightFile, b.weight, "blockIO.weight"));
  if (b.leafWeight) {
    out.push(write("blkio", "blkio.leaf_weight", b.leafWeight, "blockIO.leafWeight"));
  }
  b.weightDevice?.forEach((d, i) => {
    const field = `blockIO.weightDevice[${i}]`;
    const dev = `${d.major}:${d.minor}`;
    if (d.weight) out.push(write("blkio", `${weightFile}_device`, `${dev} ${d.weight}`, field));
    if (d.leafWeight) {
      out.push(write("blkio", "blkio.leaf_weight_device", `${dev} ${d.leafWeight}`, field));
    }
  });
  for (const [key, suffix] of THROTTLES) {
    b[key]?.forEach((d, i) => {
      const file = `blkio.throttle.${suffix}_device`;
      out.push(write("blkio", file, `${d.major}:${d.minor} ${d.rate}`, `blockIO.${key}[${i}]`));
    });
  }
  return out;
};

const network: Mapper = (r) => {
  const n = r.network;
  if (!n) return [];
  const out: Write[] = [];
  if (n.classID !== undefined) {
    out.push(write("net_cls", "net_cls.classid", n.classID, "network.classID"));
  }
  n.priorities?.forEach((p, i) =>
    out.push(
      write(
        "net_prio",
        "net_prio.ifpriomap",
        `${p.name} ${p.priority}`,
        `network.priorities[${i}]`,
      ),
    )
  );
  return out;
};

const unified: Mapper = (r) => {
  if (r.unified && Object.keys(r.unified).length > 0) {
    throw fieldError("unified", "needs cgroup v2, and this host's controllers are cgroup v1");
  }
  return [];
};

/** One mapper per config section, in application order. */
export const v1Mappers = {
  cpuset,
  devices,
  memory,
  cpu,
  pids,
  blockIO,
  hugepageLimits: hugepageLimits("limit_in_bytes"),
  network,
  rdma,
  unified,
} satisfies Record<string, Mapper>;

export function v1Writes(r: LinuxResources, host: HostView): Write[] {
  return Object.values(v1Mappers).flatMap((m) => m(r, host));
}
