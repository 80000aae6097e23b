// Prerequisite checks that turn a test into an ignored one, loudly: a skipped check must show up
// in the output and in the summary's skipped count, never pass silently.
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

function testFile(): string {
  try {
    return basename(fileURLToPath(Deno.mainModule));
  } catch {
    return "?";
  }
}

/** Value for Deno.test's `ignore`: true (with a warning naming `why`) unless `ok`. */
export function skipUnless(ok: boolean, why: string): boolean {
  if (!ok) console.warn(`SKIPPED (${testFile()}): ${why}`);
  return !ok;
}

/** `ignore` value for tests that need root. */
export function requireRoot(what = "this test"): boolean {
  return skipUnless(Deno.uid() === 0, `${what} needs root`);
}

/** True when `name` is an executable on PATH. */
export function hasCommand(name: string): boolean {
  const dirs = (Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":");
  return dirs.some((dir) => {
    try {
      const st = Deno.statSync(`${dir}/${name}`);
      return st.isFile && ((st.mode ?? 0) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/**
 * True when this Deno runs under a user-mode emulator (qemu-user, scripts/test-aarch64): the
 * kernel's arch (/proc/sys/kernel/arch, which qemu does not emulate) is not Deno's.
 */
export function emulated(): boolean {
  try {
    return Deno.readTextFileSync("/proc/sys/kernel/arch").trim() !== Deno.build.arch;
  } catch {
    return false;
  }
}
