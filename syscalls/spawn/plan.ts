// A spawn plan: the arena the native routine reads (clone_args, header, step table) plus the
// data the steps point to, all in one anonymous mapping so a fork child has its own copy.
// Steps grow up from Arena.steps, data grows down from under the vfork stack at the top.
import { bytesOf, mapAnon, unmap } from "./memory.ts";
import { Arena, CloneArgs, Step, VFORK_STACK_SIZE } from "./layout.ts";
import { type SyscallName, syscallNr } from "../nr.ts";
import { AT_EMPTY_PATH } from "../libc.ts";
import { CLONE_PARENT, SIGCHLD } from "./flags.ts";
import { KERNEL_SIGACTION_SIZE, SIG_SETMASK, signalSet, SIGSET_SIZE } from "./signals.ts";

export interface PlanOptions {
  /** Arena size in bytes (default 64 KiB); it does not grow, addresses handed out stay valid. */
  size?: number;
  /**
   * "default" (the default) starts the plan with steps that unblock every signal and reset
   * every signal this process ignores to SIG_DFL. Deno ignores SIGPIPE, and an ignored signal
   * stays ignored across execve (CLONE_CLEAR_SIGHAND resets handlers only), so without this a
   * container process would inherit SIG_IGN for SIGPIPE. "inherit" keeps the caller's state.
   */
  signals?: "default" | "inherit";
}

export interface StepOptions {
  /** An errno that counts as success for this step, e.g. EEXIST for mkdirat. */
  okErrno?: number;
}

export interface StepInfo {
  label: string;
  syscall: SyscallName;
}

/** A step of a prelude (see setPrelude). */
export interface PreludeStep extends StepInfo {
  args: readonly Arg[];
}

/** What `spawn` writes into the header before each clone. */
export interface Header {
  /** clone3 flags; with `legacy`, only those the legacy clone takes (the low 32 bits). */
  flags: bigint;
  exitSignal: number;
  pidfd: boolean;
  cgroupFd: number;
  vforkStack: boolean;
  errFd: number;
  /** Make the child with the legacy clone instead of clone3. */
  legacy: boolean;
}

type Arg = number | bigint;

const DEFAULT_SIZE = 64 * 1024;
const PAGE = 4096;

export class SpawnPlan {
  readonly size: number;
  #ptr: Deno.PointerObject | undefined;
  #base: bigint;
  #mem: Uint8Array<ArrayBuffer>;
  #view: DataView<ArrayBuffer>;
  #steps: StepInfo[] = [];
  #prelude: StepInfo[] = [];
  #dataLow: number;

  constructor(opts: PlanOptions = {}) {
    const size = opts.size ?? DEFAULT_SIZE;
    if (!Number.isSafeInteger(size) || size < 2 * PAGE) {
      throw new Error(`spawn plan: size must be an integer of at least ${2 * PAGE}, got ${size}`);
    }
    this.size = Math.ceil(size / PAGE) * PAGE;
    this.#ptr = mapAnon(this.size);
    this.#base = Deno.UnsafePointer.value(this.#ptr);
    this.#mem = bytesOf(this.#ptr, this.size);
    this.#view = new DataView(this.#mem.buffer);
    this.#dataLow = this.size - VFORK_STACK_SIZE;
    if ((opts.signals ?? "default") === "default") this.#defaultSignals();
  }

  /** Steps so far, in order; a SpawnError names the failed one by its label. */
  get steps(): readonly StepInfo[] {
    return this.#steps;
  }

  /** The prelude set last (see setPrelude). */
  get prelude(): readonly StepInfo[] {
    return this.#prelude;
  }

  /** The arena's address, for the native routine. */
  get pointer(): Deno.PointerObject {
    if (!this.#ptr) throw new Error("spawn plan: used after free()");
    return this.#ptr;
  }

  /** Copies `data` into the arena (8-byte aligned); returns its address. */
  bytes(data: Uint8Array): bigint {
    const off = this.#alloc(data.length);
    this.#mem.set(data, off);
    return this.#base + BigInt(off);
  }

  /** `len` zeroed bytes (e.g. a read buffer); returns their address. */
  buffer(len: number): bigint {
    return this.#base + BigInt(this.#alloc(len));
  }

  /** A NUL-terminated copy of `s`; returns its address. */
  str(s: string): bigint {
    if (s.includes("\0")) {
      throw new Error(`spawn plan: string contains a NUL byte: ${JSON.stringify(s)}`);
    }
    const b = new TextEncoder().encode(s);
    const off = this.#alloc(b.length + 1);
    this.#mem.set(b, off);
    return this.#base + BigInt(off);
  }

  /** A NULL-terminated char*[] of copies of `list`; returns its address. */
  strv(list: readonly string[]): bigint {
    const ptrs = list.map((s) => this.str(s));
    const off = this.#alloc(8 * (ptrs.length + 1));
    ptrs.forEach((p, i) => this.#view.setBigUint64(off + 8 * i, p, true));
    return this.#base + BigInt(off);
  }

  /**
   * Appends one raw syscall. Fd numbers in `args` refer to the child's copy of the caller's fd
   * table at clone time (fork semantics): any open fd works, O_CLOEXEC only matters at execve.
   * A plan holds fd numbers, not fds: respawning it after closing one may hit whatever reuses
   * the number, and a step must not replace the error pipe's write end (the child reports
   * through it until execve).
   */
  step(label: string, syscall: SyscallName, args: readonly Arg[], opts: StepOptions = {}): this {
    const ok = opts.okErrno ?? 0;
    if (!Number.isInteger(ok) || ok < 0 || ok > 4095) {
      throw new Error(`spawn plan: step "${label}": okErrno must be an errno, got ${ok}`);
    }
    const at = this.#tableEnd(this.#prelude.length + this.#steps.length + 1);
    this.#writeStep(at - Step.size, label, syscall, args, ok);
    this.#steps.push({ label, syscall });
    return this;
  }

  /**
   * Sets the steps that run before the plan's own from the next spawn on, replacing the
   * previous ones: the clone fallback's stand-ins for what only clone3 does. The table moves
   * up or down to make room; the data the steps point to stays where it is.
   */
  setPrelude(steps: readonly PreludeStep[]): void {
    const old = this.#prelude.length;
    if (steps.length === old && old === 0) return;
    const own = this.#steps.length;
    this.#tableEnd(steps.length + own);
    const from = Arena.steps + Step.size * old;
    this.#mem.copyWithin(Arena.steps + Step.size * steps.length, from, from + Step.size * own);
    steps.forEach((s, i) =>
      this.#writeStep(Arena.steps + Step.size * i, s.label, s.syscall, s.args, 0)
    );
    this.#prelude = steps.map(({ label, syscall }) => ({ label, syscall }));
  }

  /**
   * Appends a fork (the legacy clone with CLONE_PARENT): the new process, the caller's child
   * too, runs the rest of the table; the forking child reports its pid and exits, and Child
   * follows the new one. For what applies to new processes only: a pid namespace joined by setns.
   */
  fork(label: string): this {
    return this.step(label, "clone", [CLONE_PARENT | BigInt(SIGCHLD), 0, 0, 0, 0]);
  }

  /** Appends execve(path, argv, env): the step that, on success, ends the table. */
  execve(path: string, argv: readonly string[], env: readonly string[], label?: string): this {
    const args = [this.str(path), this.strv(argv), this.strv(env)];
    return this.step(label ?? `execve ${path}`, "execve", args);
  }

  /**
   * Appends execveat(fd, "", argv, env, AT_EMPTY_PATH): executes the file open at `fd` (which
   * may be O_CLOEXEC: the kernel has the file before it closes the fd), reaching it by no path.
   */
  execveat(fd: number, argv: readonly string[], env: readonly string[], label: string): this {
    const args = [fd, this.str(""), this.strv(argv), this.strv(env), AT_EMPTY_PATH];
    return this.step(label, "execveat", args);
  }

  /** Fills the header: clone_args and the clone call (clone3 or legacy clone); for `spawn`. */
  writeHeader(h: Header): void {
    const v = this.#view;
    this.#mem.fill(0, 0, Arena.steps);
    const pidfd = h.pidfd ? this.#base + BigInt(Arena.pidfd) : 0n;
    const stackTop = h.vforkStack ? this.#base + BigInt(this.size) : 0n;
    if (h.legacy) {
      // clone(flags | exit signal, stack top, parent_tid (where CLONE_PIDFD stores the fd), …):
      // the two arguments after these differ in order between x86-64 and aarch64 (child_tid
      // and tls), both zero here.
      this.#writeClone("clone", [h.flags | BigInt(h.exitSignal), stackTop, pidfd]);
    } else {
      v.setBigUint64(CloneArgs.flags, h.flags, true);
      v.setBigUint64(CloneArgs.pidfd, pidfd, true);
      v.setBigUint64(CloneArgs.exitSignal, BigInt(h.exitSignal), true);
      if (h.vforkStack) {
        v.setBigUint64(CloneArgs.stack, stackTop - BigInt(VFORK_STACK_SIZE), true);
        v.setBigUint64(CloneArgs.stackSize, BigInt(VFORK_STACK_SIZE), true);
      }
      v.setBigUint64(CloneArgs.cgroup, BigInt(h.cgroupFd), true);
      this.#writeClone("clone3", [this.#base, CloneArgs.size]);
    }
    v.setBigUint64(Arena.errFd, BigInt(h.errFd), true);
    v.setBigUint64(Arena.nSteps, BigInt(this.#prelude.length + this.#steps.length), true);
  }

  /** The pidfd the kernel stored for the last clone with CLONE_PIDFD. */
  pidfd(): number {
    return this.#view.getInt32(Arena.pidfd, true);
  }

  /** Unmaps the arena. Safe once the clone returned: a fork child has its own copy, and with
   * CLONE_VFORK the parent resumes only after the child exec'd or exited. */
  free(): void {
    if (!this.#ptr) return;
    unmap(this.#ptr, this.size);
    this.#ptr = undefined;
    this.#mem = new Uint8Array(0);
    this.#view = new DataView(this.#mem.buffer);
  }

  [Symbol.dispose](): void {
    this.free();
  }

  #alloc(len: number): number {
    if (!this.#ptr) throw new Error("spawn plan: used after free()");
    const off = (this.#dataLow - len) & ~7;
    if (off < Arena.steps + Step.size * (this.#prelude.length + this.#steps.length)) this.#full();
    this.#dataLow = off;
    return off;
  }

  /** The end offset of a table of `n` steps, checked against the data below the stack. */
  #tableEnd(n: number): number {
    const end = Arena.steps + Step.size * n;
    if (end > this.#dataLow) this.#full();
    return end;
  }

  #writeStep(off: number, label: string, syscall: SyscallName, args: readonly Arg[], ok: number) {
    if (args.length > 6) throw new Error(`spawn plan: step "${label}": more than 6 arguments`);
    const words = args.map((a) => word(label, a));
    this.#view.setBigUint64(off + Step.nr, BigInt(syscallNr(syscall)), true);
    for (let i = 0; i < 6; i++) {
      this.#view.setBigUint64(off + Step.args + 8 * i, words[i] ?? 0n, true);
    }
    this.#view.setBigUint64(off + Step.okErrno, BigInt(ok), true);
  }

  #writeClone(syscall: SyscallName, args: readonly Arg[]): void {
    this.#writeStep(Arena.clone, syscall, syscall, args, 0);
  }

  #full(): never {
    throw new Error(`spawn plan: arena full (${this.size} bytes); create it with a larger size`);
  }

  #defaultSignals(): void {
    const mask = this.buffer(SIGSET_SIZE);
    this.step("unblock all signals", "rt_sigprocmask", [SIG_SETMASK, mask, 0, SIGSET_SIZE]);
    const dfl = this.buffer(KERNEL_SIGACTION_SIZE);
    for (const sig of signalSet("SigIgn")) {
      this.step(`reset signal ${sig} to default`, "rt_sigaction", [sig, dfl, 0, SIGSET_SIZE]);
    }
  }
}

/** An argument as the u64 the routine loads into a register (negatives in two's complement). */
function word(label: string, a: Arg): bigint {
  if (typeof a === "number" && !Number.isSafeInteger(a)) {
    throw new Error(`spawn plan: step "${label}": argument ${a} is not an integer`);
  }
  const b = BigInt(a);
  if (b < -(1n << 63n) || b >= 1n << 64n) {
    throw new Error(`spawn plan: step "${label}": argument ${a} does not fit in 64 bits`);
  }
  return BigInt.asUintN(64, b);
}
