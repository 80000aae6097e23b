// Syscall numbers for the steps of a plan, per arch. aarch64 uses the generic table, which has
// only the *at forms (no open, mkdir, dup2...), so plans are written with those on every arch.

// Made on first use: every command imports this module, most never make a syscall of their own.
const tableOf = () =>
  ({
    // name: [x86_64, aarch64]
    read: [0, 63],
    write: [1, 64],
    close: [3, 57],
    openat: [257, 56],
    openat2: [437, 437],
    close_range: [436, 436],
    dup3: [292, 24],
    fcntl: [72, 25],
    ioctl: [16, 29],
    sendmsg: [46, 211],
    recvmsg: [47, 212],
    ppoll: [271, 73],
    socket: [41, 198],
    socketpair: [53, 199],
    connect: [42, 203],
    pipe2: [293, 59],
    mmap: [9, 222],
    mprotect: [10, 226],
    munmap: [11, 215],
    chdir: [80, 49],
    fchdir: [81, 50],
    chroot: [161, 51],
    pivot_root: [155, 41],
    mount: [165, 40],
    umount2: [166, 39],
    mount_setattr: [442, 442],
    open_tree: [428, 428],
    move_mount: [429, 429],
    fsopen: [430, 430],
    fsconfig: [431, 431],
    fsmount: [432, 432],
    mkdirat: [258, 34],
    mknodat: [259, 33],
    symlinkat: [266, 36],
    unlinkat: [263, 35],
    fchownat: [260, 54],
    fchown: [93, 55],
    fchmodat: [268, 53],
    setns: [308, 268],
    unshare: [272, 97],
    sethostname: [170, 161],
    setdomainname: [171, 162],
    setuid: [105, 146],
    setgid: [106, 144],
    setresuid: [117, 147],
    setresgid: [119, 149],
    setgroups: [116, 159],
    capget: [125, 90],
    capset: [126, 91],
    prctl: [157, 167],
    setsid: [112, 157],
    setpgid: [109, 154],
    prlimit64: [302, 261],
    rt_sigaction: [13, 134],
    rt_sigprocmask: [14, 135],
    umask: [95, 166],
    personality: [135, 92],
    seccomp: [317, 277],
    keyctl: [250, 219],
    sched_setaffinity: [203, 122],
    setpriority: [141, 140],
    ioprio_set: [251, 30],
    execve: [59, 221],
    execveat: [322, 281],
    exit_group: [231, 94],
    kill: [62, 129],
    getpid: [39, 172],
    clone: [56, 220],
    clone3: [435, 435],
    pidfd_open: [434, 434],
    sched_setattr: [314, 274],
    pidfd_send_signal: [424, 424],
    waitid: [247, 95],
    wait4: [61, 260],
    statfs: [137, 43],
    memfd_create: [319, 279],
    sendfile: [40, 71],
    lseek: [8, 62],
    sched_getaffinity: [204, 123],
    eventfd2: [290, 19],
    bpf: [321, 280],
  }) as const satisfies Record<string, readonly [number, number]>;

export type SyscallName = keyof ReturnType<typeof tableOf>;

let made: ReturnType<typeof tableOf> | undefined;
const table = () => made ??= tableOf();

const column: Partial<Record<typeof Deno.build.arch, 0 | 1>> = { x86_64: 0, aarch64: 1 };

/** All names with their number on `arch` (for tests against the kernel headers). */
export function syscallTable(arch: "x86_64" | "aarch64"): [SyscallName, number][] {
  const c = column[arch]!;
  return Object.entries(table()).map(([name, nrs]) => [name as SyscallName, nrs[c]]);
}

/** The number of `name` on this machine's arch. */
export function syscallNr(name: SyscallName): number {
  const c = column[Deno.build.arch];
  if (c === undefined) throw new Error(`spawn: no syscall table for ${Deno.build.arch}`);
  const nrs: readonly number[] | undefined = table()[name];
  if (!nrs) throw new Error(`spawn: unknown syscall "${name}" (not in syscalls/nr.ts)`);
  return nrs[c];
}
