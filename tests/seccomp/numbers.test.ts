// The seccomp syscall number tables against the name tables, the kernel headers installed on this
// host, and the numbers the spawn plans use.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { ARCHES, syscallNumber, X32_SYSCALL_BIT } from "../../process/seccomp/arches.ts";
import { AARCH64_SYSCALLS, X86_64_SYSCALLS, X86_SYSCALLS } from "../../specs/data/syscalls.ts";
import { archsWithTables } from "../../specs/syscalls.ts";
import { SECCOMP_ARCHS } from "../../specs/seccomp-names.ts";
import { syscallTable } from "../../syscalls/nr.ts";
import { skipUnless } from "../helpers/mod.ts";

const words = (s: string) => s.split(/\s+/).filter(Boolean);
/** x86-64-only syscalls ("64" ABI, or gone before x32 existed). */
const NOT_X32 = words(`_sysctl create_module epoll_ctl_old epoll_wait_old get_kernel_syms
  get_thread_area map_shadow_stack nfsservctl query_module set_thread_area uretprobe uselib vserver`);

const NAMES: Record<string, string[]> = {
  SCMP_ARCH_X86_64: words(X86_64_SYSCALLS),
  SCMP_ARCH_X32: words(X86_64_SYSCALLS).filter((n) => !NOT_X32.includes(n)),
  SCMP_ARCH_X86: words(X86_SYSCALLS),
  SCMP_ARCH_AARCH64: words(AARCH64_SYSCALLS),
};

Deno.test("the compiler and validation know the same architectures", () => {
  assertEquals(Object.keys(ARCHES).sort(), archsWithTables(SECCOMP_ARCHS).sort());
});

Deno.test("every known syscall name has one distinct number per architecture", () => {
  for (const [arch, names] of Object.entries(NAMES)) {
    const nrs = names.map((n) => syscallNumber(arch, n));
    assertEquals(nrs.filter((nr) => nr === undefined).length, 0, arch);
    assertEquals(new Set(nrs).size, names.length, `${arch}: duplicate numbers`);
  }
  for (const name of NOT_X32) assertEquals(syscallNumber("SCMP_ARCH_X32", name), undefined);
  assertEquals(syscallNumber("SCMP_ARCH_X86_64", "frobnicate"), undefined);
  assertEquals(syscallNumber("SCMP_ARCH_ARM", "read"), undefined);
});

Deno.test("numbers agree with the spawn plans' table (syscalls/nr.ts)", () => {
  for (const [arch, scmp] of [["x86_64", "SCMP_ARCH_X86_64"], ["aarch64", "SCMP_ARCH_AARCH64"]]) {
    for (const [name, nr] of syscallTable(arch as "x86_64" | "aarch64")) {
      assertEquals(syscallNumber(scmp, name), nr, `${arch} ${name}`);
    }
  }
});

const ASM = "/usr/include/x86_64-linux-gnu/asm";
const headers = (() => {
  try {
    Deno.statSync(`${ASM}/unistd_x32.h`);
    return true;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "numbers match this host's x86 uapi headers",
  ignore: skipUnless(headers, `no kernel headers at ${ASM} (linux-libc-dev)`),
  fn() {
    const files: [string, string, number][] = [
      ["SCMP_ARCH_X86_64", "unistd_64.h", 0],
      ["SCMP_ARCH_X86", "unistd_32.h", 0],
      ["SCMP_ARCH_X32", "unistd_x32.h", X32_SYSCALL_BIT],
    ];
    for (const [arch, file, base] of files) {
      const text = Deno.readTextFileSync(`${ASM}/${file}`);
      let checked = 0;
      for (const m of text.matchAll(/^#define __NR_(\w+)\s+\(?(?:__X32_SYSCALL_BIT \+ )?(\d+)/gm)) {
        assertEquals(syscallNumber(arch, m[1]), base + Number(m[2]), `${arch} ${m[1]}`);
        checked++;
      }
      if (checked < 300) throw new Error(`${file}: only ${checked} definitions parsed`);
    }
  },
});

// aarch64's asm/unistd.h is the generic table (Debian's linux-libc-dev-arm64-cross): the names
// its #ifdefs leave to other arches (__ARCH_WANT_*) simply never match a name of ours.
const GENERIC = "/usr/aarch64-linux-gnu/include/asm-generic/unistd.h";
const generic = (() => {
  try {
    return Deno.readTextFileSync(GENERIC);
  } catch {
    return undefined;
  }
})();

Deno.test({
  name: "aarch64 numbers match the generic uapi table",
  ignore: skipUnless(generic !== undefined, `no ${GENERIC} (linux-libc-dev-arm64-cross)`),
  fn() {
    const defs = [...generic!.matchAll(/^#define __NR(?:3264)?_(\w+)\s+(\d+)\s*$/gm)];
    const header = new Map(defs.map((m) => [m[1], +m[2]]));
    header.delete("syscalls"); // the table's size
    // 64-bit names given as the generic 32/64 ones: #define __NR_newfstatat __NR3264_fstatat
    for (const m of generic!.matchAll(/^#define __NR_(\w+)\s+__NR3264_(\w+)\s*$/gm)) {
      const nr = header.get(m[2]);
      if (nr !== undefined) header.set(m[1], nr);
    }
    const ours = NAMES.SCMP_ARCH_AARCH64;
    // A name these headers lack must be newer than all of them (the headers may be older).
    const newest = Math.max(...header.values());
    assertEquals(
      ours.map((n) => [n, syscallNumber("SCMP_ARCH_AARCH64", n)]).filter(([n, nr]) =>
        header.get(n as string) !== nr && !(!header.has(n as string) && (nr as number) > newest)
      ),
      [],
    );
    const checked = ours.filter((n) => header.has(n)).length;
    if (checked < 280) throw new Error(`only ${checked} aarch64 names checked`);
  },
});
