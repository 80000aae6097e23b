// Each container gets its own session keyring (runc does the same, unless --no-new-keyring), so
// keys added inside never land in the caller's session.
import { cstr, errno } from "../syscalls/libc.ts";
import { libc } from "../syscalls/libc.ts";
import { syscallNr } from "../syscalls/nr.ts";
import { SyscallError } from "../syscalls/errors.ts";
import { ptr } from "../syscalls/mount.ts";

const KEYCTL_JOIN_SESSION_KEYRING = 1, ENOSYS = 38;

export function joinSessionKeyring(name: string): void {
  const n = cstr(name);
  const r = libc().syscall(
    BigInt(syscallNr("keyctl")),
    BigInt(KEYCTL_JOIN_SESSION_KEYRING),
    ptr(n),
    0n,
    0n,
    0n,
    0n,
  );
  // Kernels without keyrings (ENOSYS) simply have nothing to isolate.
  if (r < 0n && errno() !== ENOSYS) {
    throw new SyscallError("keyctl", errno(), "join session keyring");
  }
}
