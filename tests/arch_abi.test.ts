// The kernel ABI values tsrun spells out, checked against both architectures' uapi headers:
// x86-64's from linux-libc-dev, aarch64's from Debian's linux-libc-dev-arm64-cross (the
// cross-toolchain headers). Syscall numbers are checked in spawn_blob.test.ts and
// seccomp/numbers.test.ts. Missing headers skip loudly.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import * as libc from "../syscalls/libc.ts";
import { errnoMessage, errnoName } from "../syscalls/errno.ts";
import { TIOCGPTN, TIOCGPTPEER, TIOCSCTTY, TIOCSPTLCK, TIOCSWINSZ } from "../syscalls/tty.ts";
import { SIGNALS } from "../runtime/signals.ts";
import { ARCHES } from "../process/seccomp/arches.ts";
import { KERNEL_SIGACTION_SIZE } from "../syscalls/spawn/signals.ts";
import * as flags from "../syscalls/spawn/flags.ts";
import { CloneArgs } from "../syscalls/spawn/layout.ts";
import { skipUnless } from "./helpers/skip.ts";

/** Where each arch's uapi headers are: its own asm/ first, then the generic files it includes. */
const INCLUDE = {
  x86_64: { asm: "/usr/include/x86_64-linux-gnu/asm", generic: "/usr/include" },
  aarch64: {
    asm: "/usr/aarch64-linux-gnu/include/asm",
    generic: "/usr/aarch64-linux-gnu/include",
  },
} as const;
type Arch = keyof typeof INCLUDE;

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** `#define NAME VALUE` lines of the files, the first definition of a name winning (#ifndef). */
function defines(...texts: (string | undefined)[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of texts) {
    for (const m of (t ?? "").matchAll(/^#define\s+(\w+)\s+([^\n]*?)\s*(?:\/\*.*)?$/gm)) {
      if (!out.has(m[1])) out.set(m[1], m[2]);
    }
  }
  return out;
}

/** A header value: octal (leading 0), hex, decimal or one of the generic _IO* macros. */
function value(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const io = /^_IO(R|W|)\('(.)',\s*(0x[0-9a-fA-F]+|\d+)(?:,\s*(unsigned int|int))?\)$/.exec(v);
  if (io) {
    const dir = io[1] === "W" ? 1 : io[1] === "R" ? 2 : 0;
    const size = io[4] ? 4 : 0;
    return ((dir << 30) | (size << 16) | (io[2].charCodeAt(0) << 8) | Number(io[3])) >>> 0;
  }
  if (/^0[0-7]+$/.test(v)) return parseInt(v, 8);
  if (/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return Number(v);
  return undefined;
}

for (const arch of Object.keys(INCLUDE) as Arch[]) {
  const inc = INCLUDE[arch];
  const have = read(`${inc.asm}/fcntl.h`) !== undefined;
  const ignore = skipUnless(have, `${arch} uapi headers are not installed under ${inc.asm}`);

  Deno.test({ name: `${arch}: open flags`, ignore }, () => {
    const h = defines(read(`${inc.asm}/fcntl.h`), read(`${inc.generic}/asm-generic/fcntl.h`));
    const ours = {
      O_RDONLY: libc.O_RDONLY,
      O_WRONLY: libc.O_WRONLY,
      O_RDWR: libc.O_RDWR,
      O_CREAT: libc.O_CREAT,
      O_EXCL: libc.O_EXCL,
      O_NOCTTY: libc.O_NOCTTY,
      O_TRUNC: libc.O_TRUNC,
      O_APPEND: libc.O_APPEND,
      O_NONBLOCK: libc.O_NONBLOCK,
      O_CLOEXEC: libc.O_CLOEXEC,
      O_PATH: libc.O_PATH,
      ...libc.ARCH_OPEN_FLAGS[arch],
    };
    const theirs = Object.fromEntries(Object.keys(ours).map((k) => [k, value(h.get(k))]));
    assertEquals(ours, theirs);
    // This process's flags are its arch's.
    const native = libc.ARCH_OPEN_FLAGS[Deno.build.arch === "aarch64" ? "aarch64" : "x86_64"];
    assertEquals([libc.O_DIRECTORY, libc.O_NOFOLLOW], [native.O_DIRECTORY, native.O_NOFOLLOW]);
  });

  Deno.test({ name: `${arch}: tty ioctls`, ignore }, () => {
    const h = defines(read(`${inc.asm}/ioctls.h`), read(`${inc.generic}/asm-generic/ioctls.h`));
    const ours = { TIOCSCTTY, TIOCSWINSZ, TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER };
    const theirs = Object.fromEntries(Object.keys(ours).map((k) => [k, value(h.get(k))]));
    assertEquals(Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, Number(v)])), theirs);
  });

  Deno.test({ name: `${arch}: signal numbers, and sigaction with a restorer`, ignore }, () => {
    const text = read(`${inc.asm}/signal.h`);
    const h = defines(text, read(`${inc.generic}/asm-generic/signal.h`));
    for (const [name, nr] of Object.entries(SIGNALS)) {
      const v = h.get(`SIG${name}`);
      assertEquals(value(v) ?? value(h.get(v ?? "")), nr, `SIG${name}`);
    }
    // The kernel's struct sigaction is handler, flags, restorer, mask (4 × 8 bytes) only where
    // SA_RESTORER exists.
    assertEquals([value(h.get("SA_RESTORER")), KERNEL_SIGACTION_SIZE], [0x04000000, 32]);
  });

  Deno.test({ name: `${arch}: errno numbers`, ignore }, () => {
    const h = defines(
      read(`${inc.asm}/errno.h`),
      read(`${inc.generic}/asm-generic/errno.h`),
      read(`${inc.generic}/asm-generic/errno-base.h`),
    );
    let checked = 0;
    for (const [name, v] of h) {
      const nr = value(v);
      if (!/^E[A-Z0-9]+$/.test(name) || nr === undefined || errnoMessage(nr) === `errno ${nr}`) {
        continue;
      }
      // Aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK) are defined by name, not number.
      assertEquals(h.get(errnoName(nr)), v, `${errnoName(nr)} = ${nr} (header ${name})`);
      checked++;
    }
    if (checked < 30) throw new Error(`only ${checked} errno values checked`);
  });
}

const elf = read("/usr/include/linux/elf-em.h");
Deno.test({
  name: "seccomp: the AUDIT_ARCH values",
  ignore: skipUnless(elf !== undefined, "no /usr/include/linux/elf-em.h (linux-libc-dev)"),
  fn() {
    const em = defines(elf);
    const audit = defines(read("/usr/include/linux/audit.h"));
    const arch = (token: string) => {
      const [machine, ...bits] = audit.get(token)!.replace(/[()]/g, "").split("|");
      return bits.reduce((a, b) => (a | value(audit.get(b))!) >>> 0, value(em.get(machine))!);
    };
    assertEquals(
      Object.fromEntries(Object.entries(ARCHES).map(([k, a]) => [k, a.audit >>> 0])),
      {
        SCMP_ARCH_X86_64: arch("AUDIT_ARCH_X86_64"),
        SCMP_ARCH_X86: arch("AUDIT_ARCH_I386"),
        SCMP_ARCH_X32: arch("AUDIT_ARCH_X86_64"),
        SCMP_ARCH_AARCH64: arch("AUDIT_ARCH_AARCH64"),
      },
    );
  },
});

const SCHED = "/usr/aarch64-linux-gnu/include/linux/sched.h";
const sched = read(SCHED);
Deno.test({
  name: "spawn: clone3 flags and struct clone_args as aarch64's linux/sched.h has them",
  ignore: skipUnless(sched !== undefined, `no ${SCHED} (linux-libc-dev-arm64-cross)`),
  fn() {
    const h = defines(sched);
    const ours = Object.entries(flags)
      .filter(([k]) => k.startsWith("CLONE_") && k !== "CLONE_NAMESPACES");
    if (ours.length < 13) throw new Error(`only ${ours.length} flags checked`);
    assertEquals(
      Object.fromEntries(ours),
      Object.fromEntries(ours.map(([k]) => [k, BigInt(h.get(k)!.replace(/ULL$/, ""))])),
    );
    const signals = defines(read(`${INCLUDE.aarch64.generic}/asm-generic/signal.h`));
    assertEquals(value(signals.get("SIGCHLD")), flags.SIGCHLD);
    // Every field an __aligned_u64, in this order; the size clone3 is given.
    const fields = /struct clone_args \{([^}]*)\}/.exec(sched!)![1]
      .split(";").map((f) => f.trim()).filter(Boolean);
    assertEquals(
      fields,
      Object.keys(CloneArgs).filter((k) => k !== "size").map((k) =>
        `__aligned_u64 ${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`
      ),
    );
    Object.keys(CloneArgs).forEach((k, i) =>
      assertEquals(CloneArgs[k as keyof typeof CloneArgs], 8 * i)
    );
    assertEquals(value(h.get("CLONE_ARGS_SIZE_VER2")), CloneArgs.size);
  },
});
