// Watching a memory cgroup for OOMs. v1 has an event for it: an eventfd registered on
// memory.oom_control through cgroup.event_control, which the kernel signals on every OOM
// (also one with the OOM killer disabled) and once more when the cgroup is removed. v2 has no
// such registration; its memory.events `oom_kill` counter is compared instead.
import { errno, libc, sys } from "../../syscalls/libc.ts";
import { EAGAIN } from "../../syscalls/errno.ts";
import { syscallNr } from "../../syscalls/nr.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { CgroupError, closeFd, exists, openForRead, writeFile } from "./files.ts";
import { readKeyValues } from "./stats-types.ts";

export interface OomWatch {
  /** Turns readable when there may be news (v1); undefined when take() must be polled (v2). */
  readonly fd?: number;
  /** OOMs since the last call (never blocks); undefined once the cgroup is gone. */
  take(): number | undefined;
  close(): void;
}

const EFD_NONBLOCK = 0o4000, EFD_CLOEXEC = 0o2000000;

export function watchOomV1(dir: string): OomWatch {
  const control = `${dir}/memory.oom_control`;
  const efd = Number(sys("eventfd2", syscallNr("eventfd2"), [0, EFD_NONBLOCK | EFD_CLOEXEC], dir));
  let ofd: number | undefined;
  try {
    ofd = openForRead(control);
    writeFile(`${dir}/cgroup.event_control`, `${efd} ${ofd}`);
  } catch (e) {
    closeFd(efd);
    if (ofd !== undefined) closeFd(ofd);
    throw e;
  }
  const counter = new BigUint64Array(1);
  return {
    fd: efd,
    take() {
      const n = Number(libc().read(efd, new Uint8Array(counter.buffer), 8n));
      const e = n === -1 ? errno() : 0;
      if (e !== 0 && e !== EAGAIN) throw new SyscallError("read", e, "eventfd");
      // The removal of the cgroup signals the eventfd too: that is not an OOM.
      if (!exists(control)) return undefined;
      return n === 8 ? Number(counter[0]) : 0;
    },
    close() {
      closeFd(efd);
      closeFd(ofd!);
    },
  };
}

export function watchOomV2(dir: string): OomWatch {
  const events = `${dir}/memory.events`;
  if (!exists(events)) {
    throw new CgroupError(`cannot watch for OOMs: ${dir} has no memory controller`);
  }
  let seen = readKeyValues(events).oom_kill ?? 0;
  return {
    take() {
      if (!exists(events)) return undefined;
      const now = readKeyValues(events).oom_kill ?? 0;
      const n = now - seen;
      seen = now;
      return n;
    },
    close() {},
  };
}
