// Device rules → a BPF_PROG_TYPE_CGROUP_DEVICE program, cgroup v2's replacement for the v1
// devices.allow/deny files. The kernel runs it on every open/mknod of a device node with
// { access_type = access << 16 | type, major, minor } and allows the access when it returns 1.
//
// Each requested access bit (mknod, read, write) is decided on its own: the last rule that
// matches the device and includes that bit decides; no matching rule means deny. Deciding per
// bit keeps split rules ("r" in one rule, "w" in another) correct for an O_RDWR open.
import type { NormalRule } from "../devices.ts";

const DEV_BLOCK = 1, DEV_CHAR = 2;
const ACCESS_BITS = [["m", 1], ["r", 2], ["w", 4]] as const;

// Opcodes (class | op | source) of the few instructions used.
const LDX_W = 0x61, MOV_X = 0xbf, MOV_K = 0xb7, RSH_K = 0x77, AND_K = 0x57;
const JA = 0x05, JNE_K = 0x55, JSET_K = 0x45, EXIT = 0x95;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** Jump target, resolved to `off` at the end. */
  label?: string;
}

/** The program's instructions, 8 bytes each, in the kernel's struct bpf_insn layout. */
export function compileDeviceProgram(rules: readonly NormalRule[]): Uint8Array<ArrayBuffer> {
  const prog: Insn[] = [];
  const labels = new Map<string, number>();
  const emit = (code: number, dst = 0, src = 0, imm = 0, label?: string, off = 0) =>
    prog.push({ code, dst, src, off, imm, label });
  const here = (label: string) => labels.set(label, prog.length);
  const ret = (v: number) => {
    emit(MOV_K, 0, 0, v);
    emit(EXIT);
  };

  emit(LDX_W, 2, 1, 0, undefined, 0); // r2 = ctx->access_type
  emit(MOV_X, 3, 2); //                  r3 = r2
  emit(RSH_K, 3, 0, 16); //              r3 = access bits
  emit(AND_K, 2, 0, 0xffff); //          r2 = device type
  emit(LDX_W, 4, 1, 0, undefined, 4); // r4 = ctx->major
  emit(LDX_W, 5, 1, 0, undefined, 8); // r5 = ctx->minor

  for (const [letter, bit] of ACCESS_BITS) {
    const next = `after-${letter}`;
    emit(JSET_K, 3, 0, bit, undefined, 1); // bit requested: evaluate the rules
    emit(JA, 0, 0, 0, next);
    let decided = false;
    const applicable = rules.filter((r) => r.access.includes(letter)).reverse();
    for (const [i, r] of applicable.entries()) {
      const skip = `${letter}-rule-${i}`;
      const conditions: [number, number][] = [];
      if (r.type !== "a") conditions.push([2, r.type === "b" ? DEV_BLOCK : DEV_CHAR]);
      if (r.major !== undefined) conditions.push([4, r.major]);
      if (r.minor !== undefined) conditions.push([5, r.minor]);
      for (const [reg, value] of conditions) emit(JNE_K, reg, 0, value, skip);
      if (r.allow) emit(JA, 0, 0, 0, next);
      else ret(0);
      // A rule matching every device ends the search: anything after it would be
      // unreachable, which the verifier rejects.
      if (conditions.length === 0) {
        decided = true;
        break;
      }
      here(skip);
    }
    if (!decided) ret(0);
    here(next);
  }
  ret(1);

  const out = new Uint8Array(prog.length * 8);
  const view = new DataView(out.buffer);
  prog.forEach((insn, i) => {
    const off = insn.label === undefined ? insn.off : labels.get(insn.label)! - (i + 1);
    view.setUint8(i * 8, insn.code);
    view.setUint8(i * 8 + 1, (insn.src << 4) | insn.dst);
    view.setInt16(i * 8 + 2, off, true);
    view.setInt32(i * 8 + 4, insn.imm, true);
  });
  return out;
}
