// seccomp(2) for the calling thread, and the same call as a step of a spawn plan. Filters are
// per thread: this must run on the thread that will execve, which libc() guarantees (no
// `nonblocking` symbols).
import { sys } from "./libc.ts";
import { ptr } from "./mount.ts";
import { syscallNr } from "./nr.ts";
import type { SpawnPlan } from "./spawn/mod.ts";

export const SECCOMP_SET_MODE_FILTER = 1;

/** struct sock_fprog { unsigned short len; struct sock_filter *filter; } on 64-bit ABIs. */
export function sockFprog(filter: Uint8Array, filterAddress: bigint): Uint8Array<ArrayBuffer> {
  if (filter.length === 0 || filter.length % 8 !== 0 || filter.length / 8 > 0xffff) {
    throw new Error(`seccomp: ${filter.length} bytes is not a struct sock_filter array`);
  }
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint16(0, filter.length / 8, true);
  view.setBigUint64(8, filterAddress, true);
  return out;
}

/**
 * Installs `filter` (struct sock_filter[]) on the calling thread. Returns the listener fd when
 * `flags` has SECCOMP_FILTER_FLAG_NEW_LISTENER (it is close-on-exec), else 0. The kernel wants
 * no_new_privs or CAP_SYS_ADMIN in the thread's user namespace (EACCES otherwise).
 */
export function seccompSetFilter(filter: Uint8Array<ArrayBuffer>, flags: number): number {
  const prog = sockFprog(filter, ptr(filter));
  return Number(sys("seccomp", syscallNr("seccomp"), [SECCOMP_SET_MODE_FILTER, flags, ptr(prog)]));
}

/**
 * Appends the seccomp(2) call to a spawn plan: the filter and its sock_fprog are copied into the
 * arena, so the child installs it with raw syscalls only. Steps after it (and execve) run under
 * the filter, so put it as late as the kernel allows: after the no_new_privs step, or, without
 * no_new_privs and with no CAP_SYS_ADMIN left, before the credential steps (init/seccomp/
 * install.ts decides the same way). A listener fd (NEW_LISTENER) would stay in the child,
 * unreported: callers must not ask for one here.
 */
export function planSeccomp(
  plan: SpawnPlan,
  filter: Uint8Array,
  flags: number,
  label = "install the seccomp filter",
): void {
  const NEW_LISTENER = 8;
  if (flags & NEW_LISTENER) {
    throw new Error("seccomp: a spawn plan cannot hand back a listener fd (SCMP_ACT_NOTIFY)");
  }
  const fprog = plan.bytes(sockFprog(filter, plan.bytes(filter)));
  plan.step(label, "seccomp", [SECCOMP_SET_MODE_FILTER, flags, fprog]);
}
