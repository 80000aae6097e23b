// The seccomp compiler, checked by running its programs through a BPF interpreter on synthetic
// seccomp_data: verdicts per syscall, architecture and argument, and the kernel's limits.
import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { compileSeccomp } from "../../process/seccomp/compile.ts";
import { syscallNumber } from "../../process/seccomp/arches.ts";
import type { Seccomp } from "../../specs/schema/linux.ts";
import { X86_64_SYSCALLS } from "../../specs/data/syscalls.ts";
import { decode, type Insn, run, verify } from "./bpf-vm.ts";

// Kernel ABI values (linux/audit.h, linux/seccomp.h), spelled out independently of the compiler.
const AUDIT_X86_64 = 0xc000003e, AUDIT_I386 = 0x40000003, AUDIT_AARCH64 = 0xc00000b7;
const AUDIT_ARM = 0x40000028;
const X32 = 0x40000000;
const ALLOW = 0x7fff0000, KILL_THREAD = 0, KILL_PROCESS = 0x80000000, TRAP = 0x00030000;
const LOG = 0x7ffc0000;
const errno = (n: number) => 0x00050000 + n;
const trace = (n: number) => 0x7ff00000 + n;
const EPERM = 1, ENOSYS = 38;
// Syscall numbers from the kernel's tables.
const NR = { read: 0, mkdir: 83, personality: 135, getpid: 39, i386_mkdir: 39, x32_mkdir: 83 };

function compile(s: Seccomp, native = "SCMP_ARCH_X86_64"): Insn[] {
  const c = compileSeccomp(s, native);
  const prog = decode(c.filter);
  verify(prog);
  assertEquals(c.length, prog.length);
  return prog;
}

function verdict(prog: Insn[], nr: number, args: bigint[] = [], arch = AUDIT_X86_64): number {
  return run(prog, { nr, arch, args });
}

Deno.test("an ERRNO rule denies its syscalls and the default allows the rest", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }],
  });
  assertEquals(verdict(prog, NR.mkdir), errno(EPERM));
  assertEquals(verdict(prog, 258 /* mkdirat */), errno(EPERM));
  for (const nr of [NR.read, 82, 84, 257, 259, 1000]) assertEquals(verdict(prog, nr), ALLOW);
});

Deno.test("every action returns its SECCOMP_RET value, errno data where given", () => {
  const rule = (action: string, names: string[], errnoRet?: number) => ({
    names,
    action: action as Seccomp["defaultAction"],
    errnoRet,
  });
  const prog = compile({
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 13,
    syscalls: [
      rule("SCMP_ACT_ALLOW", ["read"]),
      rule("SCMP_ACT_KILL", ["write"]),
      rule("SCMP_ACT_KILL_THREAD", ["open"]),
      rule("SCMP_ACT_KILL_PROCESS", ["close"]),
      rule("SCMP_ACT_TRAP", ["stat"]),
      rule("SCMP_ACT_ERRNO", ["fstat"], 22),
      rule("SCMP_ACT_ERRNO", ["lstat"]),
      rule("SCMP_ACT_TRACE", ["poll"]),
      rule("SCMP_ACT_TRACE", ["lseek"], 7),
      rule("SCMP_ACT_LOG", ["mmap"]),
      // Same as the default: dropped, but it keeps brk (12) below the ENOSYS stub's cut.
      rule("SCMP_ACT_ERRNO", ["mkdir"], 13),
    ],
  });
  const expected = [
    ALLOW,
    KILL_THREAD,
    KILL_THREAD,
    KILL_PROCESS,
    TRAP,
    errno(22),
    errno(EPERM),
    trace(EPERM),
    trace(7),
    LOG,
  ];
  expected.forEach((want, nr) => assertEquals(verdict(prog, nr) >>> 0, want >>> 0, `nr ${nr}`));
  assertEquals(verdict(prog, 12 /* brk */), errno(13));
});

Deno.test("other ABIs are killed unless listed; x32 is x86-64 with bit 30", () => {
  const deny = { names: ["mkdir"], action: "SCMP_ACT_ERRNO" as const };
  const native = compile({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [deny] });
  assertEquals(verdict(native, NR.mkdir), errno(EPERM));
  assertEquals(verdict(native, NR.i386_mkdir, [], AUDIT_I386), KILL_THREAD);
  assertEquals(verdict(native, 34, [], AUDIT_AARCH64), KILL_THREAD);
  assertEquals(verdict(native, X32 + NR.x32_mkdir), KILL_THREAD);
  assertEquals(verdict(native, X32 + NR.read), KILL_THREAD);
  // A tracer's "skip this syscall" (-1) gets the default action, as with libseccomp.
  assertEquals(verdict(native, -1), ALLOW);

  const all = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    syscalls: [deny],
  });
  assertEquals(verdict(all, NR.mkdir), errno(EPERM));
  assertEquals(verdict(all, NR.i386_mkdir, [], AUDIT_I386), errno(EPERM));
  assertEquals(verdict(all, NR.getpid, [], AUDIT_I386), errno(EPERM), "i386 39 is mkdir");
  assertEquals(verdict(all, NR.getpid), ALLOW, "x86-64 39 is getpid");
  assertEquals(verdict(all, X32 + NR.x32_mkdir), errno(EPERM));
  assertEquals(verdict(all, X32 + NR.read), ALLOW);
  assertEquals(verdict(all, 34, [], AUDIT_AARCH64), KILL_THREAD);
  // An ABI without a syscall table is left out rather than half-filtered.
  const arm = compile({ defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_ARM"] });
  assertEquals(verdict(arm, 39, [], AUDIT_ARM), KILL_THREAD);
});

Deno.test("x32-specific numbers: rt_sigaction is 512 on x32, 13 on x86-64", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: ["SCMP_ARCH_X32"],
    syscalls: [{ names: ["rt_sigaction"], action: "SCMP_ACT_KILL_PROCESS" }],
  });
  assertEquals(verdict(prog, X32 + 512) >>> 0, KILL_PROCESS);
  assertEquals(verdict(prog, 13) >>> 0, KILL_PROCESS);
  assertEquals(verdict(prog, X32 + 13), ALLOW, "x32 13 is the 64-bit rt_sigaction: not named");
});

Deno.test("an aarch64 filter uses the generic table and skips names it lacks", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }],
  }, "SCMP_ARCH_AARCH64");
  assertEquals(verdict(prog, 34, [], AUDIT_AARCH64), errno(EPERM));
  assertEquals(verdict(prog, 83, [], AUDIT_AARCH64), ALLOW);
  assertEquals(verdict(prog, 34), KILL_THREAD, "x86-64 is foreign here");
});

type Op =
  | "SCMP_CMP_NE"
  | "SCMP_CMP_LT"
  | "SCMP_CMP_LE"
  | "SCMP_CMP_EQ"
  | "SCMP_CMP_GE"
  | "SCMP_CMP_GT"
  | "SCMP_CMP_MASKED_EQ";
const OPS: Op[] = [
  "SCMP_CMP_NE",
  "SCMP_CMP_LT",
  "SCMP_CMP_LE",
  "SCMP_CMP_EQ",
  "SCMP_CMP_GE",
  "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ",
];
const M64 = (1n << 64n) - 1n;

/** The comparison on unsigned 64-bit integers (or their low halves on 32-bit ABIs). */
function holds(op: Op, arg: bigint, value: bigint, two: bigint, bits: 32 | 64): boolean {
  const m = bits === 32 ? 0xffffffffn : M64;
  const [a, v, t] = [arg & m, value & m, two & m];
  switch (op) {
    case "SCMP_CMP_NE":
      return a !== v;
    case "SCMP_CMP_LT":
      return a < v;
    case "SCMP_CMP_LE":
      return a <= v;
    case "SCMP_CMP_EQ":
      return a === v;
    case "SCMP_CMP_GE":
      return a >= v;
    case "SCMP_CMP_GT":
      return a > v;
    case "SCMP_CMP_MASKED_EQ":
      return (a & v) === t;
  }
}

// Values whose halves differ in every way that matters to a two-step 64-bit compare.
const EDGES = [
  0n,
  1n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x100000001n,
  0x1ffffffffn,
  0x123456789an,
  0xffffffff00000000n,
  0x8000000000000000n,
  M64 - 1n,
  M64,
];
/** Rule values must be JSON numbers; these are exact, plus 2^64 (how 2^64-1 parses). */
const RULE_VALUES = [0, 1, 0x7fffffff, 0xffffffff, 0x100000000, 0x100000001, 0x123456789a, 2 ** 53];

function randomU64(): bigint {
  const hi = BigInt(Math.floor(Math.random() * 2 ** 32));
  return (hi << 32n) | BigInt(Math.floor(Math.random() * 2 ** 32));
}

for (
  const [abi, audit, bits] of [["x86_64", AUDIT_X86_64, 64], ["i386", AUDIT_I386, 32]] as const
) {
  Deno.test(`argument comparisons on ${abi} (${bits}-bit) match unsigned arithmetic`, () => {
    const args = [...EDGES, ...Array.from({ length: 20 }, randomU64)];
    for (const op of OPS) {
      for (const value of RULE_VALUES) {
        const two = op === "SCMP_CMP_MASKED_EQ" ? value & 0x7fff0001 : undefined;
        const prog = compile({
          defaultAction: "SCMP_ACT_ALLOW",
          architectures: ["SCMP_ARCH_X86"],
          syscalls: [{
            names: ["personality"],
            action: "SCMP_ACT_ERRNO",
            args: [{ index: 3, value, valueTwo: two, op }],
          }],
        });
        const nr = audit === AUDIT_I386 ? 136 : NR.personality;
        for (const arg of [...args, BigInt(value), BigInt(value) + 1n, BigInt(value) - 1n]) {
          const want = holds(op, arg, BigInt(value), BigInt(two ?? 0), bits);
          const got = verdict(prog, nr, [0n, 0n, 0n, arg], audit);
          assertEquals(got, want ? errno(EPERM) : ALLOW, `${op} ${value} on ${arg}`);
        }
      }
    }
  });
}

Deno.test("2^64-1 as a JSON number (read back as 2^64) still means all ones", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{
      names: ["read"],
      action: "SCMP_ACT_ERRNO",
      args: [{ index: 0, value: JSON.parse("18446744073709551615"), op: "SCMP_CMP_EQ" }],
    }],
  });
  assertEquals(verdict(prog, NR.read, [M64]), errno(EPERM));
  assertEquals(verdict(prog, NR.read, [M64 - 1n]), ALLOW);
});

Deno.test("conditions on different arguments all have to hold", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{
      names: ["read"],
      action: "SCMP_ACT_ERRNO",
      args: [
        { index: 0, value: 3, op: "SCMP_CMP_EQ" },
        { index: 2, value: 100, op: "SCMP_CMP_GT" },
      ],
    }],
  });
  assertEquals(verdict(prog, NR.read, [3n, 0n, 101n]), errno(EPERM));
  assertEquals(verdict(prog, NR.read, [3n, 0n, 100n]), ALLOW);
  assertEquals(verdict(prog, NR.read, [4n, 0n, 101n]), ALLOW);
});

Deno.test("an argument named twice makes one rule per condition (runc)", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{
      names: ["personality"],
      action: "SCMP_ACT_ERRNO",
      args: [
        { index: 0, value: 8, op: "SCMP_CMP_EQ" },
        { index: 0, value: 0x20000, op: "SCMP_CMP_EQ" },
      ],
    }],
  });
  assertEquals(verdict(prog, NR.personality, [8n]), errno(EPERM));
  assertEquals(verdict(prog, NR.personality, [0x20000n]), errno(EPERM));
  assertEquals(verdict(prog, NR.personality, [0n]), ALLOW);
});

Deno.test("rule precedence: unconditional first wins, default-equal rules drop out", () => {
  const prog = compile({
    defaultAction: "SCMP_ACT_ERRNO",
    syscalls: [
      // Conditional, then an unconditional rule: the unconditional one wins (libseccomp).
      {
        names: ["read"],
        action: "SCMP_ACT_TRAP",
        args: [{ index: 0, value: 0, op: "SCMP_CMP_EQ" }],
      },
      { names: ["read"], action: "SCMP_ACT_ALLOW" },
      // Two unconditional rules: the first one stays.
      { names: ["write"], action: "SCMP_ACT_LOG" },
      { names: ["write"], action: "SCMP_ACT_ALLOW" },
      // A rule equal to the default is dropped, so it does not hide the conditional rule.
      { names: ["personality"], action: "SCMP_ACT_ERRNO" },
      {
        names: ["personality"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: 0, op: "SCMP_CMP_EQ" }],
      },
      // Conditional rules are tried in order.
      {
        names: ["close"],
        action: "SCMP_ACT_LOG",
        args: [{ index: 0, value: 5, op: "SCMP_CMP_GE" }],
      },
      {
        names: ["close"],
        action: "SCMP_ACT_TRAP",
        args: [{ index: 0, value: 9, op: "SCMP_CMP_GE" }],
      },
    ],
  });
  assertEquals(verdict(prog, NR.read, [0n]), ALLOW);
  assertEquals(verdict(prog, 1, []), LOG);
  assertEquals(verdict(prog, NR.personality, [0n]), ALLOW);
  assertEquals(verdict(prog, NR.personality, [8n]), errno(EPERM));
  assertEquals(verdict(prog, 3, [10n]), LOG);
  assertEquals(verdict(prog, 3, [2n]), errno(EPERM));
});

Deno.test("syscalls newer than the profile get ENOSYS unless the default allows", () => {
  const syscalls = [{ names: ["read", "mkdir", "clone3"], action: "SCMP_ACT_ALLOW" as const }];
  const deny = compile({ defaultAction: "SCMP_ACT_ERRNO", syscalls });
  assertEquals(verdict(deny, 435 /* clone3 */), ALLOW);
  assertEquals(verdict(deny, 436), errno(ENOSYS), "past the last named syscall");
  assertEquals(verdict(deny, 100), errno(EPERM), "a gap below it gets the default");
  const kill = compile({ defaultAction: "SCMP_ACT_KILL_PROCESS", syscalls });
  assertEquals(verdict(kill, 999), errno(ENOSYS));
  assertEquals(verdict(kill, 100) >>> 0, KILL_PROCESS);
  const log = compile({
    defaultAction: "SCMP_ACT_LOG",
    syscalls: [{ names: ["read"], action: "SCMP_ACT_ERRNO" }],
  });
  assertEquals(verdict(log, 999), LOG);
  // Rules that repeat the default still count as "named" for the stub.
  const named = compile({
    defaultAction: "SCMP_ACT_ERRNO",
    syscalls: [{ names: ["clone3"], action: "SCMP_ACT_ERRNO" }],
  });
  assertEquals(verdict(named, 435), errno(EPERM));
  assertEquals(verdict(named, 436), errno(ENOSYS));
});

Deno.test("far branches go through trampolines: 300 syscalls with argument rules", () => {
  const names = X86_64_SYSCALLS.split(/\s+/).filter(Boolean).slice(0, 300);
  const c = compileSeccomp({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: names.map((name, i) => ({
      names: [name],
      action: "SCMP_ACT_ERRNO" as const,
      errnoRet: i + 1,
      args: [{ index: 1, value: i * 0x100000001, op: "SCMP_CMP_EQ" as const }],
    })),
  }, "SCMP_ARCH_X86_64");
  const prog = decode(c.filter);
  verify(prog);
  ok(prog.length > 1000, `a long program (${prog.length})`);
  ok(prog.some((i) => i.code === 0x05 && i.k > 255), "with long unconditional jumps");
  names.forEach((name, i) => {
    const nr = syscallNumber("SCMP_ARCH_X86_64", name)!;
    assertEquals(verdict(prog, nr, [0n, BigInt(i * 0x100000001)]), errno(i + 1), name);
    assertEquals(verdict(prog, nr, [0n, BigInt(i * 0x100000001 + 1)]), ALLOW, name);
  });
});

Deno.test("a filter past the kernel's 4096 instructions is refused with a clear message", () => {
  throws(
    () =>
      compileSeccomp({
        defaultAction: "SCMP_ACT_ALLOW",
        syscalls: Array.from({ length: 800 }, (_, i) => ({
          names: ["read"],
          action: "SCMP_ACT_ERRNO" as const,
          args: [{ index: 0, value: i, op: "SCMP_CMP_GT" as const }],
        })),
      }, "SCMP_ARCH_X86_64"),
    /seccomp filter needs \d+ BPF instructions, more than the kernel's 4096/,
  );
});

Deno.test("flags: LOG and SPEC_ALLOW pass, TSYNC does not, notify asks for a listener", () => {
  const base = { defaultAction: "SCMP_ACT_ALLOW" as const };
  const flags = (s: Partial<Seccomp>) => compileSeccomp({ ...base, ...s }, "SCMP_ARCH_X86_64");
  assertEquals(flags({}).flags, 0);
  assertEquals(
    flags({ flags: ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"] }).flags,
    2 | 4,
  );
  assertEquals(flags({ flags: ["SECCOMP_FILTER_FLAG_TSYNC"] }).flags, 0);
  assertEquals(flags({ flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] }).flags, 0);
  const notify = flags({
    listenerPath: "/run/agent.sock",
    flags: ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
    syscalls: [{ names: ["mount"], action: "SCMP_ACT_NOTIFY" }],
  });
  assertEquals([notify.listener, notify.flags], [true, 8 | 32]);
  assertEquals(verdict(decode(notify.filter), 165 /* mount */) >>> 0, 0x7fc00000);
});

Deno.test("a Docker-sized default profile compiles well within the limit", async () => {
  const profile = JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/default-profile.json", import.meta.url)),
  ) as Seccomp;
  ok(profile.syscalls![0].names.length > 350, "the fixture is realistic in size");
  const prog = compile(profile);
  ok(prog.length < 1500, `${prog.length} instructions`);
  assertEquals(verdict(prog, NR.read), ALLOW);
  assertEquals(verdict(prog, 101 /* ptrace */), errno(EPERM));
  assertEquals(verdict(prog, 165 /* mount */), errno(EPERM));
  assertEquals(verdict(prog, 435 /* clone3 */), errno(ENOSYS));
  assertEquals(verdict(prog, 500), errno(ENOSYS), "newer than the profile");
  assertEquals(verdict(prog, NR.personality, [8n]), ALLOW);
  assertEquals(verdict(prog, NR.personality, [9n]), errno(EPERM));
  const CLONE_NEWUSER = 0x10000000n, SIGCHLD = 17n;
  assertEquals(verdict(prog, 56, /* clone */ [SIGCHLD]), ALLOW);
  assertEquals(verdict(prog, 56, [SIGCHLD | CLONE_NEWUSER]), errno(EPERM));
  assertEquals(verdict(prog, 41, /* socket */ [2n]), ALLOW);
  assertEquals(verdict(prog, 41, [40n /* AF_VSOCK */]), errno(EPERM));
  assertEquals(verdict(prog, 102, /* socketcall */ [], AUDIT_I386), ALLOW);
  assertEquals(verdict(prog, X32 + 0), ALLOW);
  assertEquals(verdict(prog, 222, [], AUDIT_AARCH64), KILL_THREAD);
});
