// The v2 device filter's program, run here by a tiny interpreter of the instructions it uses
// (the kernel test in unified-kernel.test.ts checks the kernel agrees).
import assert from "node:assert/strict";
import { normalizeDeviceRules, type NormalRule } from "../../runtime/cgroups/devices.ts";
import { compileDeviceProgram } from "../../runtime/cgroups/ebpf/program.ts";
import type { DeviceRule } from "../../specs/resources.ts";

const BLOCK = 1, CHAR = 2;
const ACCESS = { m: 1, r: 2, w: 4 } as const;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

function decode(bytes: Uint8Array): Insn[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    out.push({
      code: v.getUint8(i),
      dst: v.getUint8(i + 1) & 0xf,
      src: v.getUint8(i + 1) >> 4,
      off: v.getInt16(i + 2, true),
      imm: v.getInt32(i + 4, true),
    });
  }
  return out;
}

/** Runs the program on one access; returns its verdict (1 allow, 0 deny). */
function run(prog: Insn[], type: number, access: string, major: number, minor: number): number {
  const bits = [...access].reduce((a, c) => a | ACCESS[c as keyof typeof ACCESS], 0);
  const ctx = [(bits << 16) | type, major, minor];
  const r = new Array<number>(11).fill(0);
  for (let pc = 0, steps = 0; steps < 10000; steps++) {
    const i = prog[pc++];
    switch (i.code) {
      case 0x61: // r[dst] = *(u32 *)(ctx + off)
        assert.equal(i.src, 1);
        r[i.dst] = ctx[i.off / 4];
        break;
      case 0xbf:
        r[i.dst] = r[i.src];
        break;
      case 0xb7:
        r[i.dst] = i.imm;
        break;
      case 0x77:
        r[i.dst] = r[i.dst] >>> i.imm;
        break;
      case 0x57:
        r[i.dst] = r[i.dst] & i.imm;
        break;
      case 0x05:
        pc += i.off;
        break;
      case 0x55:
        if (r[i.dst] !== i.imm) pc += i.off;
        break;
      case 0x45:
        if (r[i.dst] & i.imm) pc += i.off;
        break;
      case 0x95:
        return r[0];
      default:
        throw new Error(`unexpected opcode 0x${i.code.toString(16)} at ${pc - 1}`);
    }
  }
  throw new Error("program did not exit");
}

/** The kernel's verifier refuses unreachable instructions and jumps out of the program. */
function assertAllReachable(prog: Insn[]): void {
  const seen = new Set<number>();
  const todo = [0];
  while (todo.length > 0) {
    const pc = todo.pop()!;
    if (seen.has(pc)) continue;
    assert.ok(pc >= 0 && pc < prog.length, `jump out of the program to ${pc}`);
    seen.add(pc);
    const { code, off } = prog[pc];
    if (code === 0x95) continue;
    if (code === 0x05) todo.push(pc + 1 + off);
    else if (code === 0x55 || code === 0x45) todo.push(pc + 1, pc + 1 + off);
    else todo.push(pc + 1);
  }
  assert.equal(seen.size, prog.length, "every instruction reachable");
}

function filter(rules: DeviceRule[] | NormalRule[], withDefaults = true) {
  const normal = withDefaults
    ? normalizeDeviceRules(rules as DeviceRule[])
    : (rules as NormalRule[]);
  const prog = decode(compileDeviceProgram(normal));
  assertAllReachable(prog);
  return (type: number, access: string, major: number, minor: number) =>
    run(prog, type, access, major, minor) === 1;
}

Deno.test("ebpf: deny-all config still allows the default devices", () => {
  const allowed = filter([{ allow: false, access: "rwm" }]);
  assert.ok(allowed(CHAR, "rw", 1, 3), "/dev/null");
  assert.ok(allowed(CHAR, "rw", 136, 7), "/dev/pts/7");
  assert.ok(allowed(BLOCK, "m", 8, 0), "mknod of any block device");
  assert.ok(!allowed(BLOCK, "r", 8, 0), "but not reading it");
  assert.ok(!allowed(CHAR, "r", 1, 11), "/dev/kmsg");
  assert.ok(allowed(CHAR, "rwm", 1, 3), "all three bits at once");
});

Deno.test("ebpf: per-bit decisions — split rules and partial denies", () => {
  const allowed = filter([
    { allow: false, access: "rwm" },
    { allow: true, type: "c", major: 10, minor: 200, access: "r" },
    { allow: true, type: "c", major: 10, minor: 200, access: "w" },
    { allow: true, type: "c", major: 4, access: "rw" },
    { allow: false, type: "c", major: 4, minor: 1, access: "w" },
  ]);
  assert.ok(allowed(CHAR, "rw", 10, 200), "r from one rule, w from another");
  assert.ok(allowed(CHAR, "m", 10, 201), "mknod of any char device is a default");
  assert.ok(!allowed(CHAR, "r", 10, 201), "other minors are not covered");
  assert.ok(!allowed(BLOCK, "r", 10, 200), "type matters");
  assert.ok(allowed(CHAR, "rw", 4, 2), "major wildcard");
  assert.ok(allowed(CHAR, "r", 4, 1), "later deny only takes w");
  assert.ok(!allowed(CHAR, "w", 4, 1));
  assert.ok(!allowed(CHAR, "rw", 4, 1), "one denied bit denies the access");
});

Deno.test("ebpf: last matching rule wins; type a matches everything", () => {
  const all = filter([{ allow: true, access: "rwm" }]);
  assert.ok(all(BLOCK, "rwm", 259, 0));
  assert.ok(all(CHAR, "r", 1, 11));
  const later = filter([
    { allow: true, type: "a", access: "rwm" },
    { allow: false, type: "c", major: 1, minor: 11, access: "rwm" },
  ]);
  assert.ok(!later(CHAR, "r", 1, 11));
  assert.ok(later(CHAR, "r", 1, 12));
  const none = filter([], false);
  assert.ok(!none(CHAR, "r", 1, 3), "no rules: deny");
});

Deno.test("ebpf: a wildcard rule cuts the program short (no dead code for the verifier)", () => {
  const short = compileDeviceProgram([{ allow: false, type: "a", access: "rwm" }]);
  const long = compileDeviceProgram([
    { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
    { allow: false, type: "a", access: "rwm" },
  ]);
  assert.equal(long.length, short.length, "rules before a final wildcard can never decide");
});
