// A spawned child as its parent sees it: the pid, the optional pidfd, and the read end of the
// error pipe that tells whether the child got through its steps.
import { errno, libc, readableAsync, waitpidAsync } from "../libc.ts";
import { SyscallError } from "../errors.ts";
import { EINTR, errnoMessage, errnoName } from "../errno.ts";
import { ERR_RECORD_SIZE, FORKED_STEP } from "./layout.ts";
import type { StepInfo } from "./plan.ts";

/**
 * A step of the child's plan failed; the child then exited with status 127. stepIndex counts
 * the plan's steps; a step of the clone fallback's prelude has a negative one.
 */
export class SpawnError extends Error {
  readonly errnoName: string;
  constructor(
    readonly step: string,
    readonly stepIndex: number,
    readonly syscall: string,
    readonly errno: number,
  ) {
    super(`${step}: ${errnoMessage(errno)} (${errnoName(errno)})`);
    this.name = "SpawnError";
    this.errnoName = errnoName(errno);
  }
}

/** How a child ended: exactly one of the two is set. */
export interface ExitStatus {
  code?: number;
  signal?: number;
}

export class Child {
  #outcome: SpawnError | null | undefined;
  #pid: number;

  constructor(
    pid: number,
    /** Set when spawned with `pidfd: true`; the caller closes it. */
    readonly pidfd: number | undefined,
    /** Read end of the error pipe (O_CLOEXEC); result() reads and closes it. */
    readonly errors: number,
    /** The table the child runs: a prelude of `preludeLength` steps, then the plan's. */
    readonly steps: readonly StepInfo[],
    readonly preludeLength = 0,
  ) {
    this.#pid = pid;
  }

  /**
   * The child's pid; after result(), the process a clone step forked when the plan had one
   * (the forking child is reaped by then: it exits right after the fork).
   */
  get pid(): number {
    return this.#pid;
  }

  /**
   * Resolves once the child has exec'd (the write end of the pipe is O_CLOEXEC, so exec closes
   * it: EOF with no record) or finished its table without exec; rejects with SpawnError naming
   * the failed step. A child killed before exec also looks like success: check its exit status.
   */
  async result(): Promise<void> {
    if (this.#outcome === undefined) await readableAsync(this.errors);
    this.resultSync();
  }

  /** result(), blocking the thread until the child exec'd or failed. */
  resultSync(): void {
    if (this.#outcome === undefined) this.#outcome = this.#readRecord();
    if (this.#outcome) throw this.#outcome;
  }

  /** Reaps the child (waitpid on a pool thread). */
  async wait(): Promise<ExitStatus> {
    const status = new Uint8Array(4);
    if (await waitpidAsync(this.pid, status) !== this.pid) {
      throw new Error(`waitpid ${this.pid} failed`);
    }
    return decode(status);
  }

  /** Reaps the child, blocking the thread. */
  waitSync(): ExitStatus {
    const status = new Uint8Array(4);
    while (libc().waitpid(this.pid, status, 0) < 0) {
      if (errno() !== EINTR) throw new SyscallError("waitpid", errno(), `${this.pid}`);
    }
    return decode(status);
  }

  /** Reads records to EOF: a clone step's (the new pid) and then at most one failure. */
  #readRecord(): SpawnError | null {
    let failure: SpawnError | null = null;
    try {
      for (;;) {
        const rec = this.#readOne();
        if (!rec) return failure;
        const v = new DataView(rec.buffer);
        const index = Number(v.getBigInt64(0, true));
        const value = Number(v.getBigUint64(8, true));
        if (index === FORKED_STEP) {
          const forking = this.#pid;
          this.#pid = value;
          this.#reap(forking);
          continue;
        }
        const step = this.steps[index];
        const label = step?.label ?? `step ${index}`;
        failure = new SpawnError(label, index - this.preludeLength, step?.syscall ?? "?", value);
      }
    } finally {
      libc().close(this.errors);
    }
  }

  #readOne(): Uint8Array<ArrayBuffer> | undefined {
    const rec = new Uint8Array(ERR_RECORD_SIZE);
    let got = 0;
    while (got < rec.length) {
      const n = Number(libc().read(this.errors, rec.subarray(got), BigInt(rec.length - got)));
      if (n === 0) break;
      if (n < 0) {
        if (errno() === EINTR) continue;
        throw new SyscallError("read", errno(), "spawn error pipe");
      }
      got += n;
    }
    if (got === 0) return undefined;
    if (got < rec.length) throw new Error(`spawn: truncated error record (${got} bytes)`);
    return rec;
  }

  #reap(pid: number): void {
    const status = new Uint8Array(4);
    while (libc().waitpid(pid, status, 0) < 0) {
      if (errno() !== EINTR) throw new SyscallError("waitpid", errno(), `${pid}`);
    }
  }
}

function decode(status: Uint8Array): ExitStatus {
  const s = new DataView(status.buffer).getInt32(0, true);
  return (s & 0x7f) === 0 ? { code: (s >> 8) & 0xff } : { signal: s & 0x7f };
}
