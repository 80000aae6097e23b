// A tiny classic-BPF assembler for seccomp filters: forward jumps to labels, resolved at the
// end. Conditional jumps carry 8-bit offsets, so a branch that lands more than 255 instructions
// away goes through a trampoline (an unconditional `ja`, which has a 32-bit offset) placed
// right after it.

/** The kernel's limit on a filter's length (BPF_MAXINSNS). */
export const MAX_INSNS = 4096;

export const BPF = {
  LD_W_ABS: 0x20,
  ALU_AND_K: 0x54,
  JA: 0x05,
  JEQ_K: 0x15,
  JGT_K: 0x25,
  JGE_K: 0x35,
  JSET_K: 0x45,
  RET_K: 0x06,
} as const;

export type CondOp = "jeq" | "jgt" | "jge" | "jset";
const COND_CODE: Record<CondOp, number> = {
  jeq: BPF.JEQ_K,
  jgt: BPF.JGT_K,
  jge: BPF.JGE_K,
  jset: BPF.JSET_K,
};

/** A place in the program, bound once with `Program.bind`. */
export type Label = { readonly id: number };

type Insn =
  | { code: number; k: number }
  | { code: number; k: number; jt: Label; jf: Label }
  | { code: typeof BPF.JA; to: Label };

export class Program {
  #insns: Insn[] = [];
  /** label id → index of the instruction it names. */
  #bound = new Map<number, number>();
  #labels = 0;

  label(): Label {
    return { id: this.#labels++ };
  }

  /** Binds `l` to the next instruction emitted. */
  bind(l: Label): void {
    if (this.#bound.has(l.id)) throw new Error(`bpf: label ${l.id} bound twice`);
    this.#bound.set(l.id, this.#insns.length);
  }

  load(offset: number): void {
    this.#insns.push({ code: BPF.LD_W_ABS, k: offset });
  }

  and(k: number): void {
    this.#insns.push({ code: BPF.ALU_AND_K, k: k >>> 0 });
  }

  ret(k: number): void {
    this.#insns.push({ code: BPF.RET_K, k: k >>> 0 });
  }

  jump(to: Label): void {
    this.#insns.push({ code: BPF.JA, to });
  }

  /**
   * `if (A op k) goto jt else goto jf`; a missing target is the next instruction. Targets must
   * come later: cBPF only jumps forward.
   */
  cond(op: CondOp, k: number, jt?: Label, jf?: Label): void {
    const next = jt && jf ? undefined : this.label();
    this.#insns.push({ code: COND_CODE[op], k: k >>> 0, jt: jt ?? next!, jf: jf ?? next! });
    if (next) this.bind(next);
  }

  get length(): number {
    return this.#insns.length;
  }

  /** Resolves labels (adding trampolines where needed) into struct sock_filter[] bytes. */
  assemble(): Uint8Array<ArrayBuffer> {
    const insns = this.#withTrampolines();
    if (insns.length > MAX_INSNS) {
      throw new Error(
        `seccomp filter needs ${insns.length} BPF instructions, more than the kernel's ${MAX_INSNS}`,
      );
    }
    const out = new Uint8Array(8 * insns.length);
    const view = new DataView(out.buffer);
    insns.forEach((ins, i) => {
      let jt = 0, jf = 0, k = ins.k;
      if (ins.targets) {
        jt = ins.targets[0] - i - 1;
        jf = ins.targets[1] - i - 1;
      } else if (ins.to !== undefined) {
        k = ins.to - i - 1;
      }
      view.setUint16(8 * i, ins.code, true);
      view.setUint8(8 * i + 2, jt);
      view.setUint8(8 * i + 3, jf);
      view.setUint32(8 * i + 4, k, true);
    });
    return out;
  }

  /**
   * Flattens to instructions whose targets are indexes, inserting a `ja` after each conditional
   * jump with a branch out of 8-bit reach, until none is left (insertions can push others out).
   */
  #withTrampolines(): Flat[] {
    // Each node knows its targets as nodes, so insertions never invalidate them.
    const nodes: Node[] = this.#insns.map((ins) => ({ ins }));
    const at = (l: Label): Node => {
      const i = this.#bound.get(l.id);
      if (i === undefined || i >= nodes.length) throw new Error(`bpf: label ${l.id} unbound`);
      return nodes[i];
    };
    for (const n of nodes) {
      if ("jt" in n.ins) n.branches = [at(n.ins.jt), at(n.ins.jf)];
      else if ("to" in n.ins) n.to = at(n.ins.to);
    }
    let list = nodes;
    for (;;) {
      const index = new Map(list.map((n, i) => [n, i]));
      const out: Node[] = [];
      let inserted = false;
      list.forEach((n, i) => {
        out.push(n);
        if (!n.branches) return;
        const after: Node[] = [];
        n.branches = n.branches.map((t) => {
          const dist = index.get(t)! - i - 1;
          if (dist < 0) throw new Error("bpf: backward jump");
          if (dist <= 255) return t;
          const tramp: Node = { ins: { code: BPF.JA, k: 0 }, to: t };
          after.push(tramp);
          return tramp;
        }) as [Node, Node];
        if (after.length) inserted = true;
        out.push(...after);
      });
      list = out;
      if (!inserted) break;
    }
    const index = new Map(list.map((n, i) => [n, i]));
    return list.map((n, i) => {
      const flat: Flat = { code: n.ins.code, k: "k" in n.ins ? n.ins.k : 0 };
      if (n.branches) flat.targets = [index.get(n.branches[0])!, index.get(n.branches[1])!];
      if (n.to) {
        flat.to = index.get(n.to)!;
        if (flat.to <= i) throw new Error("bpf: backward jump");
      }
      return flat;
    });
  }
}

interface Node {
  ins: Insn;
  branches?: [Node, Node];
  to?: Node;
}

interface Flat {
  code: number;
  k: number;
  targets?: [number, number];
  to?: number;
}
