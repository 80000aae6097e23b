// clone3 flags (linux/sched.h) and the exit signal, the same on x86-64 and aarch64. Bigints:
// clone3 flags are 64-bit (CLONE_CLEAR_SIGHAND and CLONE_INTO_CGROUP lie above bit 31).

export const CLONE_NEWTIME = 0x80n;
export const CLONE_VM = 0x100n;
export const CLONE_PIDFD = 0x1000n;
export const CLONE_VFORK = 0x4000n;
export const CLONE_PARENT = 0x8000n;
export const CLONE_NEWNS = 0x20000n;
export const CLONE_NEWCGROUP = 0x2000000n;
export const CLONE_NEWUTS = 0x4000000n;
export const CLONE_NEWIPC = 0x8000000n;
export const CLONE_NEWUSER = 0x10000000n;
export const CLONE_NEWPID = 0x20000000n;
export const CLONE_NEWNET = 0x40000000n;
export const CLONE_CLEAR_SIGHAND = 1n << 32n;
export const CLONE_INTO_CGROUP = 1n << 33n;

/** Every namespace flag: what `spawn` accepts in `flags` (the rest it sets from options). */
export const CLONE_NAMESPACES = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
  CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME;

export const SIGCHLD = 17;
