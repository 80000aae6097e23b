// The native routines' bytes and the tables around them, checked against their sources:
// <arch>.ts against <arch>.S assembled by binutils (the host's for x86-64, Debian's
// binutils-aarch64-linux-gnu for aarch64), layout.ts against layout.inc's .equ constants, each
// .S's syscall numbers against nr.ts, nr.ts against the kernel's uapi headers.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { code as x86_64 } from "../syscalls/spawn/x86_64.ts";
import { code as aarch64 } from "../syscalls/spawn/aarch64.ts";
import {
  Arena,
  ERR_RECORD_SIZE,
  EXIT_STEP_FAILED,
  FORKED_STEP,
  Step,
} from "../syscalls/spawn/layout.ts";
import { syscallTable } from "../syscalls/nr.ts";
import { hasCommand, skipUnless } from "./helpers/skip.ts";

const dir = new URL("../syscalls/spawn/", import.meta.url).pathname;

const routines = [
  {
    arch: "x86_64",
    code: x86_64,
    tools: "",
    asFlags: ["--64"],
    nr: { write: 1, exit_group: 231, clone: 56 },
  },
  {
    arch: "aarch64",
    code: aarch64,
    tools: "aarch64-linux-gnu-",
    asFlags: [],
    nr: { write: 64, exit_group: 94, clone: 220 },
  },
] as const;

for (const r of routines) {
  // What the assembler sees: the .S with layout.inc in place of its .include.
  const source = Deno.readTextFileSync(`${dir}${r.arch}.S`)
    .replace(/^\s*\.include "layout\.inc"$/m, () => Deno.readTextFileSync(`${dir}layout.inc`));
  const binutils = hasCommand(`${r.tools}as`) && hasCommand(`${r.tools}objcopy`);

  Deno.test({
    name: `${r.arch}.ts holds exactly the bytes ${r.arch}.S assembles to`,
    ignore: skipUnless(binutils, `${r.tools}as and ${r.tools}objcopy are needed for ${r.arch}.S`),
    fn() {
      const tmp = Deno.makeTempDirSync();
      try {
        const run = (cmd: string, args: string[]) => {
          const out = new Deno.Command(cmd, { args, stderr: "piped" }).outputSync();
          if (!out.success) throw new Error(`${cmd}: ${new TextDecoder().decode(out.stderr)}`);
        };
        run(`${r.tools}as`, [...r.asFlags, "-I", dir, "-o", `${tmp}/r.o`, `${dir}${r.arch}.S`]);
        run(`${r.tools}objcopy`, ["-O", "binary", "-j", ".text", `${tmp}/r.o`, `${tmp}/r.bin`]);
        assertEquals([...r.code], [...Deno.readFileSync(`${tmp}/r.bin`)]);
      } finally {
        Deno.removeSync(tmp, { recursive: true });
      }
    },
  });

  Deno.test(`${r.arch}.S with layout.inc: the arena layout of layout.ts, its arch's syscall numbers`, () => {
    const equ = new Map(
      [...source.matchAll(/^\s*\.equ\s+(\w+),\s*(-?\d+)/gm)].map((m) => [m[1], Number(m[2])]),
    );
    assertEquals(Object.fromEntries(equ), {
      ARENA_ERR_FD: Arena.errFd,
      ARENA_N_STEPS: Arena.nSteps,
      ARENA_ERR_STEP: Arena.errStep,
      ARENA_ERR_ERRNO: Arena.errErrno,
      ARENA_CLONE: Arena.clone,
      ARENA_STEPS: Arena.steps,
      STEP_SIZE: Step.size,
      STEP_OK_ERRNO: Step.okErrno,
      ERR_RECORD_SIZE,
      MAX_ERRNO: 4095,
      EXIT_STEP_FAILED,
      FORKED_STEP,
      NR_write: r.nr.write,
      NR_exit_group: r.nr.exit_group,
      NR_clone: r.nr.clone,
    });
    const nrs = new Map(syscallTable(r.arch));
    assertEquals(
      [nrs.get("write"), nrs.get("exit_group"), nrs.get("clone")],
      [r.nr.write, r.nr.exit_group, r.nr.clone],
    );
  });
}

Deno.test("the layout the routines rely on", () => {
  // They load a step's (and the clone call's) six arguments right after nr, 8 bytes apart, and
  // aarch64 stores the error record with one stp.
  assertEquals(Step.args, 8);
  assertEquals(Arena.errErrno, Arena.errStep + 8);
  assertEquals(Arena.steps, Arena.clone + Step.size);
  assertEquals(Arena.pidfd + 8 <= Arena.clone, true);
});

/** `#define __NR_<name> <n>` (and the generic table's __NR3264_<name>) from a uapi header. */
function headerNumbers(path: string): Map<string, number> | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
  return new Map(
    [...text.matchAll(/^#define __NR(?:3264)?_(\w+)\s+(\d+)\s*$/gm)].map((m) => [m[1], +m[2]]),
  );
}

// aarch64's asm/unistd.h is the generic table: Debian's linux-libc-dev-arm64-cross installs it
// for the cross toolchain, linux-libc-dev has the same generic file.
for (
  const [arch, header] of [
    ["x86_64", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"],
    ["aarch64", "/usr/aarch64-linux-gnu/include/asm-generic/unistd.h"],
  ] as const
) {
  const nrs = headerNumbers(header);
  Deno.test({
    name: `nr.ts ${arch} numbers match ${header}`,
    ignore: skipUnless(nrs !== undefined, `${header} is not installed`),
    fn() {
      const table = syscallTable(arch);
      assertEquals(table.map(([n]) => [n, nrs!.get(n)]), table);
    },
  });
}
