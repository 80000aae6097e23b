// Byte offsets in the arena the native routines read (all fields u64, little-endian, the same
// on every arch). layout.inc, which x86_64.S and aarch64.S include, repeats them as .equ
// constants; tests/spawn_blob.test.ts compares.

/** struct clone_args (CLONE_ARGS_SIZE_VER2), at the start of the arena. */
export const CloneArgs = {
  flags: 0,
  pidfd: 8,
  childTid: 16,
  parentTid: 24,
  exitSignal: 32,
  stack: 40,
  stackSize: 48,
  tls: 56,
  setTid: 64,
  setTidSize: 72,
  cgroup: 80,
  size: 88,
} as const;

/** The header after clone_args, then the step table from `steps` on. */
export const Arena = {
  /** Write end of the error pipe. */
  errFd: 88,
  nSteps: 96,
  /** Error record the child writes to errFd: index of the failed step, then its errno. */
  errStep: 104,
  errErrno: 112,
  /** clone_args.pidfd (or legacy clone's parent_tid) points here; the kernel stores an int. */
  pidfd: 120,
  /**
   * The call that makes the child, shaped like a step (nr, a0..a5): clone3(arena, size), or
   * the legacy clone where clone3 is refused. Its okErrno is unused.
   */
  clone: 128,
  steps: 192,
} as const;

/** One step: nr, a0..a5, okErrno (an errno that counts as success; 0 = none). */
export const Step = { nr: 0, args: 8, okErrno: 56, size: 64 } as const;

export const ERR_RECORD_SIZE = 16;
/** Exit status of a child whose step failed (after it wrote the error record). */
export const EXIT_STEP_FAILED = 127;
/** The step index of the record a clone step's forking child writes: the new process's pid. */
export const FORKED_STEP = -1;
/** Stack for a CLONE_VM child, at the top of the arena. The routine itself never touches it. */
export const VFORK_STACK_SIZE = 4096;
