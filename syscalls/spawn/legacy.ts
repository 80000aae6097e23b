// The legacy clone, for where clone3 is refused with ENOSYS (kernels before 5.3, seccomp
// profiles such as Docker's default without CAP_SYS_ADMIN, qemu-user). clone takes its flags in
// 32 bits, so what clone3 does with the higher ones becomes a prelude of steps run before the
// plan's own:
//   CLONE_CLEAR_SIGHAND: every handled signal reset to SIG_DFL. The calling thread blocks all
//     signals around the clone, so none can reach a handler in the child before the reset;
//     the prelude then restores the caller's mask (the plan's own steps set the child's).
//   CLONE_INTO_CGROUP: the child writes itself into the cgroup's cgroup.procs, opened by the
//     parent from the cgroup fd. CLONE_NEWCGROUP then follows as an unshare, so the new cgroup
//     namespace is rooted at the container's cgroup as it would be with clone3.
import { cstr, errno, libc, O_CLOEXEC, O_WRONLY, sys } from "../libc.ts";
import { SyscallError } from "../errors.ts";
import { syscallNr } from "../nr.ts";
import { CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP, CLONE_NEWCGROUP, CLONE_NEWTIME } from "./flags.ts";
import type { Header, PreludeStep } from "./plan.ts";
import { bytesOf, mapAnon } from "./memory.ts";
import { KERNEL_SIGACTION_SIZE, SIG_SETMASK, signalSet, SIGSET_SIZE } from "./signals.ts";

/** The prelude's data, in a mapping of its own (a fork child gets a copy of it). */
const Data = {
  sigaction: 0,
  mask: KERNEL_SIGACTION_SIZE,
  allBlocked: 40,
  zero: 48,
  size: 56,
} as const;
let data: bigint | undefined;

function page(): bigint {
  if (data === undefined) {
    const p = mapAnon(Data.size);
    const v = new DataView(bytesOf(p, Data.size).buffer);
    v.setBigUint64(Data.allBlocked, ~0n, true);
    v.setUint8(Data.zero, "0".charCodeAt(0));
    data = Deno.UnsafePointer.value(p);
  }
  return data;
}

export interface Legacy {
  header: Header;
  prelude: PreludeStep[];
  /**
   * Runs `clone` (which writes the prelude and header into the plan and calls the routine)
   * with the caller's signals blocked if needed; closes what legacyClone opened, whatever
   * happens.
   */
  run(clone: () => bigint): bigint;
}

/** Translates a clone3 header into the legacy clone and its prelude. */
export function legacyClone(h: Header): Legacy {
  if (h.flags & CLONE_NEWTIME) {
    throw new Error(
      "spawn: CLONE_NEWTIME needs clone3, which this system refuses (ENOSYS); unshare the " +
        "time namespace in a step instead",
    );
  }
  const base = page();
  const prelude: PreludeStep[] = [];
  const clear = (h.flags & CLONE_CLEAR_SIGHAND) !== 0n;
  if (clear) {
    for (const sig of signalSet("SigCgt")) {
      prelude.push({
        label: `reset signal ${sig} to default (clone fallback)`,
        syscall: "rt_sigaction",
        args: [sig, base + BigInt(Data.sigaction), 0, SIGSET_SIZE],
      });
    }
  }
  let flags = h.flags & ~(CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP);
  let procs: number | undefined;
  if (h.flags & CLONE_INTO_CGROUP) {
    procs = libc().openat(h.cgroupFd, cstr("cgroup.procs"), O_WRONLY | O_CLOEXEC, 0);
    if (procs < 0) throw new SyscallError("openat", errno(), "cgroup.procs of the cgroup fd");
    prelude.push({
      label: "join the cgroup (clone fallback)",
      syscall: "write",
      args: [procs, base + BigInt(Data.zero), 1],
    });
    if (flags & CLONE_NEWCGROUP) {
      flags &= ~CLONE_NEWCGROUP;
      prelude.push({
        label: "unshare cgroup namespace (clone fallback)",
        syscall: "unshare",
        args: [CLONE_NEWCGROUP],
      });
    }
  }
  if (clear) {
    prelude.push({
      label: "restore the signal mask (clone fallback)",
      syscall: "rt_sigprocmask",
      args: [SIG_SETMASK, base + BigInt(Data.mask), 0, SIGSET_SIZE],
    });
  }
  return {
    header: { ...h, flags, legacy: true },
    prelude,
    run(clone) {
      try {
        if (!clear) return clone();
        const nr = syscallNr("rt_sigprocmask");
        const all = base + BigInt(Data.allBlocked), saved = base + BigInt(Data.mask);
        sys("rt_sigprocmask", nr, [SIG_SETMASK, all, saved, SIGSET_SIZE]);
        try {
          return clone();
        } finally {
          sys("rt_sigprocmask", nr, [SIG_SETMASK, saved, 0, SIGSET_SIZE]);
        }
      } finally {
        if (procs !== undefined) libc().close(procs);
      }
    },
  };
}
