// The native routine's bytes and the tables around it, checked against their sources:
// x86_64.ts against x86_64.S assembled by binutils, layout.ts against the .S's .equ
// constants, nr.ts against the kernel's uapi headers.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { code } from "../syscalls/spawn/x86_64.ts";
import {
  Arena,
  CloneArgs,
  ERR_RECORD_SIZE,
  EXIT_STEP_FAILED,
  Step,
} from "../syscalls/spawn/layout.ts";
import { syscallTable } from "../syscalls/nr.ts";

const dir = new URL("../syscalls/spawn/", import.meta.url).pathname;
const source = Deno.readTextFileSync(`${dir}x86_64.S`);

function have(cmd: string): boolean {
  try {
    return new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

const binutils = have("as") && have("objcopy");
if (!binutils) console.warn("SKIP blob check: GNU as and objcopy are needed to assemble x86_64.S");

Deno.test({
  name: "x86_64.ts holds exactly the bytes x86_64.S assembles to",
  ignore: !binutils,
  fn() {
    const tmp = Deno.makeTempDirSync();
    try {
      const run = (cmd: string, args: string[]) => {
        const out = new Deno.Command(cmd, { args, stderr: "piped" }).outputSync();
        if (!out.success) throw new Error(`${cmd}: ${new TextDecoder().decode(out.stderr)}`);
      };
      run("as", ["--64", "-o", `${tmp}/r.o`, `${dir}x86_64.S`]);
      run("objcopy", ["-O", "binary", "-j", ".text", `${tmp}/r.o`, `${tmp}/r.bin`]);
      assertEquals([...code], [...Deno.readFileSync(`${tmp}/r.bin`)]);
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});

Deno.test("the .S uses the arena layout of layout.ts", () => {
  const equ = new Map(
    [...source.matchAll(/^\s*\.equ\s+(\w+),\s*(\d+)/gm)].map((m) => [m[1], Number(m[2])]),
  );
  assertEquals(
    {
      CLONE_ARGS_SIZE: equ.get("CLONE_ARGS_SIZE"),
      ARENA_ERR_FD: equ.get("ARENA_ERR_FD"),
      ARENA_N_STEPS: equ.get("ARENA_N_STEPS"),
      ARENA_ERR_STEP: equ.get("ARENA_ERR_STEP"),
      ARENA_ERR_ERRNO: equ.get("ARENA_ERR_ERRNO"),
      ARENA_STEPS: equ.get("ARENA_STEPS"),
      STEP_SIZE: equ.get("STEP_SIZE"),
      STEP_OK_ERRNO: equ.get("STEP_OK_ERRNO"),
      ERR_RECORD_SIZE: equ.get("ERR_RECORD_SIZE"),
      EXIT_STEP_FAILED: equ.get("EXIT_STEP_FAILED"),
    },
    {
      CLONE_ARGS_SIZE: CloneArgs.size,
      ARENA_ERR_FD: Arena.errFd,
      ARENA_N_STEPS: Arena.nSteps,
      ARENA_ERR_STEP: Arena.errStep,
      ARENA_ERR_ERRNO: Arena.errErrno,
      ARENA_STEPS: Arena.steps,
      STEP_SIZE: Step.size,
      STEP_OK_ERRNO: Step.okErrno,
      ERR_RECORD_SIZE,
      EXIT_STEP_FAILED,
    },
  );
  // The routine loads a step's six arguments right after nr, 8 bytes apart.
  assertEquals(Step.args, 8);
  assertEquals(Arena.errErrno, Arena.errStep + 8);
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

for (
  const [arch, header] of [
    ["x86_64", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"],
    ["aarch64", "/usr/include/asm-generic/unistd.h"],
  ] as const
) {
  const nrs = headerNumbers(header);
  if (!nrs) console.warn(`SKIP ${arch} syscall numbers: ${header} not installed`);
  Deno.test({
    name: `nr.ts ${arch} numbers match ${header}`,
    ignore: !nrs,
    fn() {
      const table = syscallTable(arch);
      assertEquals(table.map(([n]) => [n, nrs!.get(n)]), table);
    },
  });
}
