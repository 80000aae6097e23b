// linux.seccomp (config-linux.md#seccomp) compiled to a classic-BPF seccomp filter, with the
// semantics runc gets from libseccomp:
// - the native architecture is always filtered, plus the listed ones; a syscall from any other
//   ABI kills the thread. x32 shares x86-64's AUDIT_ARCH and is told apart by bit 30 of the
//   number. Listed architectures without a syscall table here are treated as not listed.
// - a rule whose action is the default one is dropped; a name unknown on an architecture is
//   skipped there. Per syscall, an unconditional rule wins over conditional ones (the first one
//   if several); conditional rules are tried in order, their conditions ANDed, except that a
//   rule naming one argument twice becomes one rule per condition (runc's reading of it).
// - unless the default action lets syscalls run, a syscall numbered above every one the
//   profile names gets ENOSYS rather than the default: it is newer than the profile, and libc
//   falls back on ENOSYS (runc's patchbpf stub).
// - arguments are compared as 64-bit values on 64-bit ABIs (two 32-bit halves of
//   seccomp_data.args), on their low halves on 32-bit ones.
import type { Seccomp } from "../../specs/schema/linux.ts";
import { nativeArch } from "../../specs/syscalls.ts";
import { ARCHES, syscallNumber, X32_SYSCALL_BIT } from "./arches.ts";
import { actionValue, FILTER_FLAG, isPermissive, RET_BAD_ARCH, RET_ENOSYS } from "./actions.ts";
import { type Label, Program } from "./bpf.ts";
import { toUint64 } from "../../specs/uint64.ts";

export interface CompiledSeccomp {
  /** struct sock_filter[] in host byte order, for struct sock_fprog.filter. */
  filter: Uint8Array<ArrayBuffer>;
  /** Number of instructions (struct sock_fprog.len). */
  length: number;
  /** seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog) flags. */
  flags: number;
  /** A rule uses SCMP_ACT_NOTIFY: the seccomp call returns a listener fd. */
  listener: boolean;
}

type Arg = NonNullable<Seccomp["syscalls"]>[number]["args"];
type Condition = NonNullable<Arg>[number];

interface Rule {
  ret: number;
  conditions: Condition[];
}

/** What one syscall number does on one architecture. */
interface Entry {
  /** The first unconditional rule's action, which overrides the conditional ones. */
  always?: number;
  rules: Rule[];
}

interface Section {
  arch: string;
  entries: Map<number, Entry>;
  /** Largest number the profile names on this ABI, for the ENOSYS stub. */
  max?: number;
}

type Segment = { lo: number; ret: number } | { lo: number; rules: Rule[] };

/** seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]. */
const NR_OFFSET = 0, ARCH_OFFSET = 4, ARGS_OFFSET = 16;
/** The number a tracer sets to skip a syscall: it goes to the default action (libseccomp). */
const SKIPPED_NR = 0xffffffff;

export function compileSeccomp(s: Seccomp, native: string = nativeArch()): CompiledSeccomp {
  const defaultRet = actionValue(s.defaultAction, s.defaultErrnoRet);
  const rules = flattenRules(s, defaultRet);
  const arches = [...new Set([native, ...(s.architectures ?? [])])].filter((a) => a in ARCHES);
  const sections = arches.map((arch) => section(arch, s, rules));
  const stub = !isPermissive(defaultRet) && defaultRet !== RET_ENOSYS;

  const p = new Program();
  p.load(ARCH_OFFSET);
  const audits = [...new Set(arches.map((a) => ARCHES[a].audit))];
  const groups = audits.map((audit) => {
    const l = p.label();
    p.cond("jeq", audit, l);
    return { audit, l };
  });
  p.ret(RET_BAD_ARCH);
  for (const { audit, l } of groups) {
    p.bind(l);
    p.load(NR_OFFSET);
    const here = sections.filter((sec) => ARCHES[sec.arch].audit === audit);
    const x32 = here.find((sec) => sec.arch === "SCMP_ARCH_X32");
    const plain = here.find((sec) => sec.arch !== "SCMP_ARCH_X32");
    if (audit !== ARCHES.SCMP_ARCH_X86_64.audit) {
      emitSection(p, plain!, defaultRet, stub);
      continue;
    }
    // x86-64 and x32 share the audit arch: numbers with bit 30 set are x32's (or -1).
    const high = p.label(), low = p.label(), skipped = p.label(), other = p.label();
    p.cond("jge", X32_SYSCALL_BIT, high, low);
    p.bind(high);
    p.cond("jeq", SKIPPED_NR, skipped, other);
    p.bind(skipped);
    p.ret(defaultRet);
    p.bind(other);
    if (x32) emitSection(p, x32, defaultRet, stub);
    else p.ret(RET_BAD_ARCH);
    p.bind(low);
    if (plain) emitSection(p, plain, defaultRet, stub);
    else p.ret(RET_BAD_ARCH);
  }
  const filter = p.assemble();
  const listener = rules.some((r) => r.ret === actionValue("SCMP_ACT_NOTIFY"));
  return { filter, length: filter.length / 8, flags: flags(s, listener), listener };
}

/**
 * TSYNC is accepted and not passed on (runc ignores it too): after execve only the calling
 * thread is left, so syncing the filter onto init's other (Deno runtime) threads would change
 * nothing for the container, and could only kill those threads in the moment before the exec.
 * WAIT_KILLABLE_RECV only means something with a listener, and the kernel refuses it without.
 */
function flags(s: Seccomp, listener: boolean): number {
  let f = listener ? FILTER_FLAG.NEW_LISTENER : 0;
  for (const flag of s.flags ?? []) {
    if (flag === "SECCOMP_FILTER_FLAG_LOG") f |= FILTER_FLAG.LOG;
    if (flag === "SECCOMP_FILTER_FLAG_SPEC_ALLOW") f |= FILTER_FLAG.SPEC_ALLOW;
    if (flag === "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" && listener) {
      f |= FILTER_FLAG.WAIT_KILLABLE_RECV;
    }
  }
  return f;
}

interface NamedRule extends Rule {
  names: string[];
}

/** The config's rules minus those that repeat the default, split where runc splits them. */
function flattenRules(s: Seccomp, defaultRet: number): NamedRule[] {
  const out: NamedRule[] = [];
  for (const r of s.syscalls ?? []) {
    const ret = actionValue(r.action, r.errnoRet);
    if (ret === defaultRet) continue;
    const args = r.args ?? [];
    const indexes = args.map((a) => a.index);
    const repeats = indexes.some((index, i) => indexes.indexOf(index) !== i);
    if (repeats) {
      for (const a of args) out.push({ names: r.names, ret, conditions: [a] });
    } else out.push({ names: r.names, ret, conditions: args });
  }
  return out;
}

function section(arch: string, s: Seccomp, rules: NamedRule[]): Section {
  const entries = new Map<number, Entry>();
  for (const rule of rules) {
    for (const name of rule.names) {
      const nr = syscallNumber(arch, name);
      if (nr === undefined) continue;
      let e = entries.get(nr);
      if (!e) entries.set(nr, e = { rules: [] });
      if (rule.conditions.length === 0) e.always ??= rule.ret;
      else e.rules.push(rule);
    }
  }
  let max: number | undefined;
  for (const r of s.syscalls ?? []) {
    for (const name of r.names) {
      const nr = syscallNumber(arch, name);
      if (nr !== undefined && (max === undefined || nr > max)) max = nr;
    }
  }
  return { arch, entries, max };
}

/** A section's code, entered with the syscall number in A. */
function emitSection(p: Program, sec: Section, defaultRet: number, stub: boolean): void {
  const stubbed = stub && sec.max !== undefined;
  if (stubbed) {
    const known = p.label();
    p.cond("jgt", sec.max!, undefined, known);
    p.ret(RET_ENOSYS);
    p.bind(known);
  }
  emitTree(p, segments(sec, defaultRet, stubbed), defaultRet, ARCHES[sec.arch].args32);
}

/**
 * The number line cut into runs that end the same way, so that a profile allowing hundreds of
 * syscalls costs a few dozen comparisons: plain returns for unconditional rules and the gaps
 * between them (merged when equal), a rule block for each syscall with conditions.
 */
function segments(sec: Section, defaultRet: number, stubbed: boolean): Segment[] {
  const out: Segment[] = [];
  const push = (seg: Segment) => {
    const last = out.at(-1);
    if (last && "ret" in last && "ret" in seg && last.ret === seg.ret) return;
    out.push(seg);
  };
  let cursor = ARCHES[sec.arch].nrBase;
  for (const nr of [...sec.entries.keys()].sort((a, b) => a - b)) {
    const e = sec.entries.get(nr)!;
    if (nr > cursor) push({ lo: cursor, ret: defaultRet });
    push(e.always !== undefined ? { lo: nr, ret: e.always } : { lo: nr, rules: e.rules });
    cursor = nr + 1;
  }
  // With the stub, numbers past the largest named one never get here.
  if (!stubbed || cursor <= sec.max!) push({ lo: cursor, ret: defaultRet });
  return out;
}

/** Binary search on the segments' first numbers; A holds the syscall number throughout. */
function emitTree(p: Program, segs: Segment[], defaultRet: number, args32: boolean): void {
  if (segs.length === 1) {
    const seg = segs[0];
    if ("ret" in seg) p.ret(seg.ret);
    else emitRules(p, seg.rules, defaultRet, args32);
    return;
  }
  const mid = segs.length >> 1;
  const upper = p.label();
  p.cond("jge", segs[mid].lo, upper);
  emitTree(p, segs.slice(0, mid), defaultRet, args32);
  p.bind(upper);
  emitTree(p, segs.slice(mid), defaultRet, args32);
}

function emitRules(p: Program, rules: Rule[], defaultRet: number, args32: boolean): void {
  for (const rule of rules) {
    const fail = p.label();
    for (const c of rule.conditions) emitCondition(p, c, fail, args32);
    p.ret(rule.ret);
    p.bind(fail);
  }
  p.ret(defaultRet);
}

function halves(n: number): [hi: number, lo: number] {
  const v = toUint64(n);
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** Falls through when the condition holds, jumps to `fail` otherwise. */
function emitCondition(p: Program, c: Condition, fail: Label, args32: boolean): void {
  const lo = ARGS_OFFSET + 8 * c.index, hi = lo + 4;
  const masked = c.op === "SCMP_CMP_MASKED_EQ";
  // For MASKED_EQ `value` is the mask and `valueTwo` the value the masked argument must equal.
  const [mHi, mLo] = halves(c.value);
  const [vHi, vLo] = masked ? halves(c.valueTwo ?? 0) : [mHi, mLo];
  const ok = p.label();
  if (!args32) {
    // Decide on the high halves where they differ; go on to the low halves where equal.
    p.load(hi);
    switch (c.op) {
      case "SCMP_CMP_EQ":
        p.cond("jeq", vHi, undefined, fail);
        break;
      case "SCMP_CMP_MASKED_EQ":
        p.and(mHi);
        p.cond("jeq", vHi, undefined, fail);
        break;
      case "SCMP_CMP_NE":
        p.cond("jeq", vHi, undefined, ok);
        break;
      case "SCMP_CMP_GT":
      case "SCMP_CMP_GE":
        p.cond("jgt", vHi, ok);
        p.cond("jeq", vHi, undefined, fail);
        break;
      case "SCMP_CMP_LT":
      case "SCMP_CMP_LE":
        p.cond("jgt", vHi, fail);
        p.cond("jeq", vHi, undefined, ok);
        break;
    }
  }
  p.load(lo);
  switch (c.op) {
    case "SCMP_CMP_EQ":
      p.cond("jeq", vLo, ok, fail);
      break;
    case "SCMP_CMP_MASKED_EQ":
      p.and(mLo);
      p.cond("jeq", vLo, ok, fail);
      break;
    case "SCMP_CMP_NE":
      p.cond("jeq", vLo, fail, ok);
      break;
    case "SCMP_CMP_GT":
      p.cond("jgt", vLo, ok, fail);
      break;
    case "SCMP_CMP_GE":
      p.cond("jge", vLo, ok, fail);
      break;
    case "SCMP_CMP_LT":
      p.cond("jge", vLo, fail, ok);
      break;
    case "SCMP_CMP_LE":
      p.cond("jgt", vLo, fail, ok);
      break;
  }
  p.bind(ok);
}
