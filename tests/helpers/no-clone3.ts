// Runs a program with clone3 refused, as on kernels before 5.3, under seccomp profiles such as
// Docker's default without CAP_SYS_ADMIN, or in qemu-user:
//
//   deno run -A tests/helpers/no-clone3.ts PROGRAM [ARGS...]
//
// installs a seccomp filter that answers ENOSYS to clone3 on this thread, then execs PROGRAM
// from this thread, so the program and all its descendants inherit the filter.
import { cstr, libc, sys } from "../../syscalls/libc.ts";
import { syscallNr } from "../../syscalls/nr.ts";
import { ARCHES } from "../../process/seccomp/arches.ts";
import { nativeArch } from "../../specs/syscalls.ts";
import { ENOSYS } from "../../syscalls/errno.ts";

const LD_W_ABS = 0x20, JEQ_K = 0x15, RET_K = 0x06;
const RET_ALLOW = 0x7fff0000, RET_ERRNO = 0x00050000;
const SECCOMP_SET_MODE_FILTER = 1, PR_SET_NO_NEW_PRIVS = 38;

/** The filter: another arch's syscalls pass, clone3 gets ENOSYS, everything else passes. */
function filter(): Uint8Array<ArrayBuffer> {
  const insns: [number, number, number, number][] = [
    [LD_W_ABS, 0, 0, 4], // seccomp_data.arch
    [JEQ_K, 0, 3, ARCHES[nativeArch()].audit],
    [LD_W_ABS, 0, 0, 0], // seccomp_data.nr
    [JEQ_K, 0, 1, syscallNr("clone3")],
    [RET_K, 0, 0, RET_ERRNO | ENOSYS],
    [RET_K, 0, 0, RET_ALLOW],
  ];
  const out = new Uint8Array(8 * insns.length);
  const v = new DataView(out.buffer);
  insns.forEach(([code, jt, jf, k], i) => {
    v.setUint16(8 * i, code, true);
    v.setUint8(8 * i + 2, jt);
    v.setUint8(8 * i + 3, jf);
    v.setUint32(8 * i + 4, k >>> 0, true);
  });
  return out;
}

function which(name: string): string {
  if (name.includes("/")) return name;
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* next */ }
  }
  throw new Error(`no-clone3: ${name} not found on PATH`);
}

/** A NULL-terminated char*[] of `list`; the buffers stay referenced by `keep`. */
function strv(list: string[], keep: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const v = new BigUint64Array(list.length + 1);
  list.forEach((s, i) => {
    const b = cstr(s);
    keep.push(b);
    v[i] = Deno.UnsafePointer.value(Deno.UnsafePointer.of(b));
  });
  return new Uint8Array(v.buffer);
}

const [program, ...args] = Deno.args;
if (!program) {
  console.error("usage: no-clone3.ts PROGRAM [ARGS...]");
  Deno.exit(2);
}
const prog = filter();
const fprog = new BigUint64Array([BigInt(prog.length / 8), 0n]);
fprog[1] = Deno.UnsafePointer.value(Deno.UnsafePointer.of(prog));
// Without CAP_SYS_ADMIN a filter needs no_new_privs.
if (Deno.uid() !== 0) libc().prctl(PR_SET_NO_NEW_PRIVS, 1n, 0n, 0n, 0n);
sys("seccomp", syscallNr("seccomp"), [
  SECCOMP_SET_MODE_FILTER,
  0,
  Deno.UnsafePointer.value(Deno.UnsafePointer.of(fprog)),
]);
const keep: Uint8Array[] = [];
const path = which(program);
const env = Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`);
libc().execve(cstr(path), strv([program, ...args], keep), strv(env, keep));
console.error(`no-clone3: execve ${path} failed`);
Deno.exit(127);
