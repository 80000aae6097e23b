// Per-thread attributes of the container process that survive execve: scheduling policy
// (sched_setattr), I/O priority (ioprio_set), personality and CPU affinity. All act on the
// calling thread, which in init is the JS thread that will execve. The encoders are pure and
// exported for tests and for `exec`, whose spawn child makes the same calls from a plan.
import type { Process } from "../specs/schema/process.ts";
import type { Linux } from "../specs/schema/linux.ts";
import { sysArgs } from "./sys-args.ts";

type Scheduler = NonNullable<Process["scheduler"]>;

const POLICIES: Record<Scheduler["policy"], number> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};

const SCHED_FLAGS: Record<NonNullable<Scheduler["flags"]>[number], number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

/** struct sched_attr (the 56-byte version with the util clamps, left at 0 as runc does). */
export function schedAttr(s: Scheduler): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(56);
  const v = new DataView(buf.buffer);
  v.setUint32(0, buf.length, true);
  v.setUint32(4, POLICIES[s.policy], true);
  const flags = (s.flags ?? []).reduce((acc, f) => acc | SCHED_FLAGS[f], 0);
  v.setBigUint64(8, BigInt(flags), true);
  v.setInt32(16, s.nice ?? 0, true);
  v.setUint32(20, s.priority ?? 0, true);
  v.setBigUint64(24, BigInt(s.runtime ?? 0), true);
  v.setBigUint64(32, BigInt(s.deadline ?? 0), true);
  v.setBigUint64(40, BigInt(s.period ?? 0), true);
  return buf;
}

const IOPRIO_CLASSES: Record<NonNullable<Process["ioPriority"]>["class"], number> = {
  IOPRIO_CLASS_RT: 1,
  IOPRIO_CLASS_BE: 2,
  IOPRIO_CLASS_IDLE: 3,
};

/** The ioprio_set(2) value: class in the top bits, level below. */
export function ioprioValue(io: NonNullable<Process["ioPriority"]>): number {
  return (IOPRIO_CLASSES[io.class] << 13) | io.priority;
}

/** personality(2) domains the spec names. */
export const PERSONALITY_DOMAINS = { LINUX: 0x0000, LINUX32: 0x0008 } as const;

/** A CPU list ("0-3,7") as a cpu_set_t-style bit mask, one bit per CPU. */
export function cpuListMask(list: string): Uint8Array<ArrayBuffer> {
  const cpus: number[] = [];
  for (const part of list.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [lo, hi = lo] = part.split("-").map((n) => Number(n.trim()));
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi) {
      throw new Error(`invalid CPU list "${list}"`);
    }
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  if (!cpus.length) throw new Error(`empty CPU list "${list}"`);
  const mask = new Uint8Array(Math.ceil((Math.max(...cpus) + 1) / 64) * 8);
  for (const c of cpus) mask[c >> 3] |= 1 << (c & 7);
  return mask;
}

/** Every CPU the kernel may have (clamped by it, and by the cgroup's cpuset). */
export const ALL_CPUS = new Uint8Array(1024).fill(0xff);

function setAffinity(mask: Uint8Array<ArrayBuffer>): void {
  sysArgs("sched_setaffinity", [0, mask.length, mask], "CPU affinity");
}

/**
 * Applies what the config asks of the calling thread, before credentials are dropped (a
 * real-time policy or class needs CAP_SYS_NICE / CAP_SYS_ADMIN). The affinity is reset to every
 * CPU, as runc does for an init, so the container does not inherit the runtime's.
 */
export function applyProcessAttrs(proc: Process, linux: Linux | undefined): void {
  setAffinity(ALL_CPUS);
  if (proc.scheduler) {
    const attr = schedAttr(proc.scheduler);
    sysArgs("sched_setattr", [0, attr, 0], `scheduler ${proc.scheduler.policy}`);
  }
  if (proc.ioPriority) {
    const IOPRIO_WHO_PROCESS = 1;
    const value = ioprioValue(proc.ioPriority);
    sysArgs("ioprio_set", [IOPRIO_WHO_PROCESS, 0, value], `ioPriority ${proc.ioPriority.class}`);
  }
  if (linux?.personality) {
    const domain = PERSONALITY_DOMAINS[linux.personality.domain];
    sysArgs("personality", [domain], `personality ${linux.personality.domain}`);
  }
}
