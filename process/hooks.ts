// Runs OCI hooks: the state JSON on stdin, the hook's own argv (argv[0] included) and env, an
// optional timeout. Used by the parent (runtime namespace hooks) and by init (container
// namespace hooks). Started with the native spawn, so args[0] reaches the hook as given; stdin,
// stdout and stderr are memfds, which never fill up and block the hook the way a pipe can.
// The state's pid is the init's pid as the host sees it for every hook, as the spec defines it;
// runc deviates and gives the hooks run inside the container getpid() there (1 with a new pid
// namespace).
import type { Hook } from "../specs/schema/hooks.ts";
import { check, errno, libc } from "../syscalls/libc.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { EINTR } from "../syscalls/errno.ts";
import { spawn, SpawnError, SpawnPlan } from "../syscalls/spawn/mod.ts";
import { sysArgs } from "./sys-args.ts";

const MFD_CLOEXEC = 1, SEEK_SET = 0, CLOSE_RANGE_CLOEXEC = 4;

function memfd(name: string): number {
  return Number(sysArgs("memfd_create", [name, MFD_CLOEXEC], name));
}

function rewind(fd: number): void {
  sysArgs("lseek", [fd, 0, SEEK_SET], "hook output");
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length;) {
    const n = Number(libc().write(fd, data.subarray(off), BigInt(data.length - off)));
    if (n < 0 && errno() === EINTR) continue;
    if (n < 0) throw new SyscallError("write", errno(), "hook stdin");
    off += n;
  }
}

/** What the hook wrote, trimmed and cut short: it only goes into an error message. */
function readBack(fd: number): string {
  rewind(fd);
  const buf = new Uint8Array(4096);
  const n = Number(libc().read(fd, buf, BigInt(buf.length)));
  return n > 0 ? new TextDecoder().decode(buf.subarray(0, n)).trim() : "";
}

/**
 * Runs one hook and resolves when it exited 0; throws a one-line error otherwise. A hook without
 * `env` gets `defaultEnv` (runc: the runtime's environment; the process's for hooks run by init).
 */
export async function runHook(
  hook: Hook,
  state: unknown,
  phase: string,
  defaultEnv: readonly string[] = currentEnv(),
): Promise<void> {
  const name = `${phase} hook ${hook.path}`;
  const fds = [memfd("hook-stdin"), memfd("hook-stdout"), memfd("hook-stderr")];
  try {
    writeAll(fds[0], new TextEncoder().encode(JSON.stringify(state)));
    rewind(fds[0]);
    // Resetting the signals Deno ignores needs /proc, which a container may not mount.
    const plan = new SpawnPlan({ signals: hasProc() ? "default" : "inherit" });
    fds.forEach((fd, std) => plan.step(`hook stdio ${std}`, "dup3", [fd, std, 0]));
    // Only stdio reaches the hook, whatever else the runtime or init holds open.
    plan.step("close other fds at exec", "close_range", [3, 0xffffffff, CLOSE_RANGE_CLOEXEC]);
    plan.execve(hook.path, hook.args?.length ? hook.args : [hook.path], hook.env ?? defaultEnv);
    let child;
    try {
      child = spawn(plan, { vfork: true });
    } finally {
      plan.free();
    }
    const exited = child.wait();
    try {
      await child.result();
    } catch (e) {
      await exited;
      if (e instanceof SpawnError) throw new Error(`${name}: ${e.message}`);
      throw e;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = hook.timeout
      ? new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), hook.timeout! * 1000);
      })
      : new Promise<never>(() => {});
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first === "timeout") {
      try {
        Deno.kill(child.pid, "SIGKILL");
      } catch { /* exited meanwhile */ }
      await exited;
      throw new Error(`${name} timed out after ${hook.timeout}s`);
    }
    if (first.code !== 0) {
      const how = first.signal !== undefined
        ? `killed by signal ${first.signal}`
        : `exit status ${first.code}`;
      const out = readBack(fds[1]), err = readBack(fds[2]);
      throw new Error(
        `${name} failed: ${how}${out ? `, stdout: ${out}` : ""}${err ? `, stderr: ${err}` : ""}`,
      );
    }
  } finally {
    for (const fd of fds) check("close", libc().close(fd), "hook memfd");
  }
}

function hasProc(): boolean {
  try {
    return Deno.statSync("/proc/thread-self/status").isFile;
  } catch {
    return false;
  }
}

function currentEnv(): string[] {
  return Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`);
}

export async function runHooks(
  hooks: readonly Hook[] | undefined,
  state: unknown,
  phase: string,
  defaultEnv?: readonly string[],
): Promise<void> {
  for (const h of hooks ?? []) await runHook(h, state, phase, defaultEnv);
}

/** For poststart and poststop: a failing hook is a warning and the others still run. */
export async function runHooksWarn(
  hooks: readonly Hook[] | undefined,
  state: unknown,
  phase: string,
  warn: (msg: string) => void,
): Promise<void> {
  for (const h of hooks ?? []) {
    try {
      await runHook(h, state, phase);
    } catch (e) {
      warn((e as Error).message);
    }
  }
}
