// libc through Deno FFI. Nothing here is `nonblocking` except `waitpidAsync`: namespaces and
// credentials are per thread, so every call must run on the calling (JS) thread. errno is read
// right after each call, before anything else can touch it.
import { SyscallError } from "./errors.ts";
import { type SyscallName, syscallNr } from "./nr.ts";

// The definitions below are made on first use: every command imports this module, and making
// them at load cost ~0.3 ms of each start, also of those that never call libc.
const symbolsOf = () =>
  ({
    __errno_location: { parameters: [], result: "pointer" },
    syscall: { parameters: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"], result: "i64" },
    mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
    umount2: { parameters: ["buffer", "i32"], result: "i32" },
    unshare: { parameters: ["i32"], result: "i32" },
    setns: { parameters: ["i32", "i32"], result: "i32" },
    chdir: { parameters: ["buffer"], result: "i32" },
    fchdir: { parameters: ["i32"], result: "i32" },
    chroot: { parameters: ["buffer"], result: "i32" },
    sethostname: { parameters: ["buffer", "usize"], result: "i32" },
    setdomainname: { parameters: ["buffer", "usize"], result: "i32" },
    mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
    mknod: { parameters: ["buffer", "u32", "u64"], result: "i32" },
    open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
    openat: { parameters: ["i32", "buffer", "i32", "u32"], result: "i32" },
    read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
    write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
    close: { parameters: ["i32"], result: "i32" },
    dup3: { parameters: ["i32", "i32", "i32"], result: "i32" },
    fcntl: { parameters: ["i32", "i32", "i64"], result: "i32" },
    kill: { parameters: ["i32", "i32"], result: "i32" },
    getpid: { parameters: [], result: "i32" },
    prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
    umask: { parameters: ["u32"], result: "u32" },
    symlink: { parameters: ["buffer", "buffer"], result: "i32" },
    chown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
    fchown: { parameters: ["i32", "u32", "u32"], result: "i32" },
    execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
    socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
    sendmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
    recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
    poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
    waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
    ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    prlimit: { parameters: ["i32", "i32", "buffer", "buffer"], result: "i32" },
    setgroups: { parameters: ["usize", "buffer"], result: "i32" },
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
    setsid: { parameters: [], result: "i32" },
    tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
    tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
    cfmakeraw: { parameters: ["buffer"], result: "void" },
    isatty: { parameters: ["i32"], result: "i32" },
  }) as const satisfies Deno.ForeignLibraryInterface;
type Defs = ReturnType<typeof symbolsOf>;
let defs: Defs | undefined;
const symbols = () => defs ??= symbolsOf();

const asyncSymbols = {
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize", nonblocking: true },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

type Symbols = Deno.DynamicLibrary<Defs>["symbols"];
let asyncLib: Deno.DynamicLibrary<typeof asyncSymbols>["symbols"] | undefined;

const S_IFIFO = 0o010000;

/**
 * The functions above that are one system call, with the call and how their arguments map to
 * it. They all go through the one `syscall` symbol: binding a symbol costs ~0.3 ms (a dlopen and
 * a V8 trampoline each), and a container start used ~25 of them, half in the init. The rest
 * (errno, termios, and setgroups, which glibc applies to every thread) stay libc's own.
 */
const viaSyscallOf = (): { [K in keyof Defs]?: [SyscallName, ((a: Arg[]) => Arg[])?] } => ({
  read: ["read"],
  write: ["write"],
  close: ["close"],
  open: ["openat", (a) => [AT_FDCWD, ...a]],
  openat: ["openat"],
  mount: ["mount"],
  umount2: ["umount2"],
  unshare: ["unshare"],
  setns: ["setns"],
  chdir: ["chdir"],
  fchdir: ["fchdir"],
  chroot: ["chroot"],
  sethostname: ["sethostname"],
  setdomainname: ["setdomainname"],
  mkfifo: ["mknodat", ([path, mode]) => [AT_FDCWD, path, S_IFIFO | Number(mode), 0]],
  mknod: ["mknodat", (a) => [AT_FDCWD, ...a]],
  symlink: ["symlinkat", ([target, path]) => [target, AT_FDCWD, path]],
  chown: ["fchownat", (a) => [AT_FDCWD, ...a, 0]],
  fchown: ["fchown"],
  dup3: ["dup3"],
  fcntl: ["fcntl"],
  kill: ["kill"],
  getpid: ["getpid"],
  prctl: ["prctl"],
  umask: ["umask"],
  execve: ["execve"],
  socketpair: ["socketpair"],
  socket: ["socket"],
  connect: ["connect"],
  sendmsg: ["sendmsg"],
  recvmsg: ["recvmsg"],
  ioctl: ["ioctl"],
  prlimit: ["prlimit64"],
  setsid: ["setsid"],
  waitpid: ["wait4", (a) => [...a, 0]],
  // aarch64 has only ppoll: the timeout as a timespec, none for -1; no signal mask.
  poll: [
    "ppoll",
    ([fds, n, ms]) => [fds, n, Number(ms) < 0 ? null : timespec(Number(ms)), null, 8],
  ],
});
let via: ReturnType<typeof viaSyscallOf> | undefined;

function timespec(ms: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(
    new BigInt64Array([BigInt(Math.floor(ms / 1000)), BigInt(ms % 1000) * 1_000_000n]).buffer,
  );
}

type Arg = number | bigint | Uint8Array<ArrayBuffer> | Deno.PointerValue;

function word(a: Arg): bigint {
  if (typeof a === "bigint") return a;
  if (typeof a === "number") return BigInt(a);
  if (a === null) return 0n;
  return BigInt(Deno.UnsafePointer.value(a instanceof Uint8Array ? Deno.UnsafePointer.of(a) : a));
}

function bind(name: keyof Defs): unknown {
  const how = (via ??= viaSyscallOf())[name];
  if (!how) {
    const one = { [name]: symbols()[name] } as Deno.ForeignLibraryInterface;
    return Deno.dlopen("libc.so.6", one).symbols[name];
  }
  const [call, shape] = how;
  const nr = BigInt(syscallNr(call));
  const wide = symbols()[name].result === "isize";
  return (...args: Arg[]) => {
    const a = shape ? shape(args) : args;
    const w = a.map(word);
    const r = lazy.syscall(nr, w[0] ?? 0n, w[1] ?? 0n, w[2] ?? 0n, w[3] ?? 0n, w[4] ?? 0n, 0n);
    a.length = 0; // a use after the call: the buffers behind the addresses stay reachable until here
    return wide ? r : Number(r);
  };
}

// Each bound on first use: all of them at once would cost every command several ms.
const bound: Record<string, unknown> = {};
const lazy = new Proxy({} as Symbols, {
  get(_, name: string) {
    if (!Object.hasOwn(symbols(), name)) return undefined;
    return bound[name] ??= bind(name as keyof Defs);
  },
});

export function libc(): Symbols {
  return lazy;
}

/** Whether this process bound a libc symbol yet: the first binding costs ~1.5 ms. */
export function libcInUse(): boolean {
  return Object.keys(bound).length > 0;
}

export function errno(): number {
  const p = libc().__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}

/** NUL-terminated copy of a string, for `buffer` parameters. */
export function cstr(s: string): Uint8Array<ArrayBuffer> {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/** Throws a SyscallError when a call returned -1 (errno read immediately). */
export function check<T extends number | bigint>(name: string, ret: T, subject?: string): T {
  if (Number(ret) === -1) throw new SyscallError(name, errno(), subject);
  return ret;
}

/** Raw syscall(2) for calls glibc has no wrapper for; returns the result or throws. */
export function sys(name: string, nr: number, args: (number | bigint)[], subject?: string): bigint {
  const a = [...args.map(BigInt), 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6);
  const r = libc().syscall(BigInt(nr), a[0], a[1], a[2], a[3], a[4], a[5]);
  if (r === -1n) throw new SyscallError(name, errno(), subject);
  return r;
}

function async(): Deno.DynamicLibrary<typeof asyncSymbols>["symbols"] {
  return asyncLib ??= Deno.dlopen("libc.so.6", asyncSymbols).symbols;
}

/** waitpid on a pool thread, for callers that must keep the event loop (signals) alive. */
export async function waitpidAsync(pid: number, status: Uint8Array<ArrayBuffer>): Promise<number> {
  return await async().waitpid(pid, status, 0);
}

/** Resolves once `fd` is readable, at EOF or in error (the read that follows tells which). */
export async function readableAsync(fd: number): Promise<void> {
  const pfd = new Uint8Array(8);
  const v = new DataView(pfd.buffer);
  v.setInt32(0, fd, true);
  v.setInt16(4, 1, /* POLLIN */ true);
  // -1 can only be EINTR or a transient ENOMEM here (a bad fd is reported in revents).
  while (await async().poll(pfd, 1n, -1) < 0) { /* retry */ }
}

/** read(2) on a pool thread: a raw fd (a pty master) read without blocking the event loop. */
export async function readAsync(fd: number, buf: Uint8Array<ArrayBuffer>): Promise<number> {
  return Number(await async().read(fd, buf, BigInt(buf.length)));
}

export const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CLOEXEC = 0o2000000;
export const O_CREAT = 0o100, O_EXCL = 0o200;
export const O_PATH = 0o10000000, O_NOCTTY = 0o400, O_NONBLOCK = 0o4000, O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
/**
 * The open flags whose values differ between x86-64 (asm-generic/fcntl.h) and aarch64 (its own
 * asm/fcntl.h): there 0o400000, x86-64's O_NOFOLLOW, is O_LARGEFILE.
 */
export const ARCH_OPEN_FLAGS = {
  x86_64: { O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000 },
  aarch64: { O_DIRECTORY: 0o40000, O_NOFOLLOW: 0o100000 },
} as const;
const archFlags = ARCH_OPEN_FLAGS[Deno.build.arch === "aarch64" ? "aarch64" : "x86_64"];
export const O_DIRECTORY = archFlags.O_DIRECTORY, O_NOFOLLOW = archFlags.O_NOFOLLOW;
export const AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;
export const F_SETFD = 2;

/** Sets or clears FD_CLOEXEC on `fd`. */
export function setCloexec(fd: number, on: boolean, subject: string): void {
  check("fcntl", libc().fcntl(fd, F_SETFD, on ? 1n : 0n), subject);
}

/** A pipe, both ends O_CLOEXEC: [read end, write end]. */
export function pipe(): [number, number] {
  const fds = new Int32Array(2);
  sys("pipe2", syscallNr("pipe2"), [
    Deno.UnsafePointer.value(Deno.UnsafePointer.of(fds)),
    O_CLOEXEC,
  ]);
  return [fds[0], fds[1]];
}

/** open(2) returning the raw fd (Deno 2's FsFile exposes none). */
export function openFd(path: string, flags: number, mode = 0): number {
  return check("open", libc().open(cstr(path), flags, mode), path);
}
