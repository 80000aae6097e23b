// A classic-BPF interpreter for seccomp programs, written from the kernel's rules rather than
// from the compiler: it refuses what the kernel's checker refuses (unknown opcodes, loads out of
// seccomp_data, jumps past the end, a last instruction that is not a return, > 4096 insns).

export interface SeccompData {
  nr: number;
  arch: number;
  /** Up to six 64-bit arguments. */
  args?: bigint[];
}

export interface Insn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const SECCOMP_DATA_SIZE = 64;

export function decode(filter: Uint8Array): Insn[] {
  if (filter.length % 8 !== 0) throw new Error("filter length is not a multiple of 8");
  const view = new DataView(filter.buffer, filter.byteOffset, filter.byteLength);
  const out: Insn[] = [];
  for (let off = 0; off < filter.length; off += 8) {
    out.push({
      code: view.getUint16(off, true),
      jt: view.getUint8(off + 2),
      jf: view.getUint8(off + 3),
      k: view.getUint32(off + 4, true),
    });
  }
  return out;
}

/** Throws what the kernel would refuse the program for. */
export function verify(prog: Insn[]): void {
  if (prog.length === 0 || prog.length > 4096) throw new Error(`bad length ${prog.length}`);
  prog.forEach((ins, pc) => {
    const left = prog.length - pc - 1;
    switch (ins.code) {
      case 0x20: // ld [k]
        if (ins.k % 4 !== 0 || ins.k >= SECCOMP_DATA_SIZE) throw new Error(`pc ${pc}: bad load`);
        break;
      case 0x54: // and #k
      case 0x06: // ret #k
        break;
      case 0x05: // ja
        if (ins.k >= left) throw new Error(`pc ${pc}: ja out of range`);
        break;
      case 0x15:
      case 0x25:
      case 0x35:
      case 0x45:
        if (ins.jt >= left || ins.jf >= left) throw new Error(`pc ${pc}: jump out of range`);
        break;
      default:
        throw new Error(`pc ${pc}: opcode 0x${ins.code.toString(16)} not allowed`);
    }
  });
  if (prog.at(-1)!.code !== 0x06) throw new Error("last instruction is not a return");
}

/** Runs the program on one seccomp_data (little-endian layout); returns the filter's verdict. */
export function run(prog: Insn[], data: SeccompData): number {
  const buf = new DataView(new ArrayBuffer(SECCOMP_DATA_SIZE));
  buf.setInt32(0, data.nr, true);
  buf.setUint32(4, data.arch, true);
  (data.args ?? []).forEach((a, i) => buf.setBigUint64(16 + 8 * i, BigInt.asUintN(64, a), true));
  let a = 0;
  let pc = 0;
  for (let steps = 0; steps <= prog.length; steps++) {
    const ins = prog[pc];
    if (!ins) throw new Error(`fell off the program at pc ${pc}`);
    switch (ins.code) {
      case 0x20:
        a = buf.getUint32(ins.k, true);
        pc++;
        continue;
      case 0x54:
        a = (a & ins.k) >>> 0;
        pc++;
        continue;
      case 0x06:
        return ins.k;
      case 0x05:
        pc += 1 + ins.k;
        continue;
    }
    let taken: boolean;
    if (ins.code === 0x15) taken = a === ins.k;
    else if (ins.code === 0x25) taken = a > ins.k;
    else if (ins.code === 0x35) taken = a >= ins.k;
    else taken = (a & ins.k) !== 0;
    pc += 1 + (taken ? ins.jt : ins.jf);
  }
  throw new Error("no return: loop?");
}
