// Signal names and numbers (Linux x86-64/aarch64 generic numbering), as runc accepts them:
// "KILL", "SIGKILL" or "9".
import { RuntimeError } from "./errors.ts";

export const SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  IOT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  POLL: 29,
  PWR: 30,
  SYS: 31,
};

/** Sent by delete and kill --all, and to a cgroup: the one signal a process cannot catch. */
export const SIGKILL = SIGNALS.KILL;

export function parseSignal(raw: string): number {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = raw.toUpperCase().replace(/^SIG/, "");
    if (Object.hasOwn(SIGNALS, name)) return SIGNALS[name];
    const rt = /^RTMIN(?:\+(\d+))?$|^RTMAX(?:-(\d+))?$/.exec(name);
    if (rt) {
      const n = rt[1] !== undefined || name.startsWith("RTMIN")
        ? 34 + Number(rt[1] ?? 0)
        : 64 - Number(rt[2] ?? 0);
      if (n >= 34 && n <= 64) return n;
    }
  }
  throw new RuntimeError(`invalid signal: ${raw}`);
}
