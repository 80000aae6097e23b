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
 * Where a spawn child puts the listener fd of a NEW_LISTENER filter. The native routine cannot
 * pass one step's result to the next, so the fd number is fixed in advance: the caller opens
 * `slot` as the lowest free fd just before the clone, the child closes it, and seccomp(2) then
 * returns that number (new fds take the lowest free one). Should some lower fd have been freed
 * in between, the listener lands there instead and sending `slot` fails with EBADF: an error,
 * never a wrong fd.
 */
export interface ListenerHandoff {
  slot: number;
  /** The child's end of a socket pair: the listener goes over it (SCM_RIGHTS). */
  socket: number;
}

/**
 * Appends the seccomp(2) call to a spawn plan: the filter and its sock_fprog are copied into the
 * arena, so the child installs it with raw syscalls only. Steps after it (and execve) run under
 * the filter; where it goes is a step of process/credentials.ts. A NEW_LISTENER filter needs
 * `handoff`: the listener is sent over its socket right after the install (its sendmsg runs
 * under the filter).
 */
export function planSeccomp(
  plan: SpawnPlan,
  filter: Uint8Array,
  flags: number,
  handoff?: ListenerHandoff,
): void {
  const NEW_LISTENER = 8;
  const listener = (flags & NEW_LISTENER) !== 0;
  if (listener && !handoff) {
    throw new Error("seccomp: a spawn plan needs a handoff for the listener fd (SCMP_ACT_NOTIFY)");
  }
  const fprog = plan.bytes(sockFprog(filter, plan.bytes(filter)));
  if (!listener || !handoff) {
    plan.step("install the seccomp filter", "seccomp", [SECCOMP_SET_MODE_FILTER, flags, fprog]);
    return;
  }
  plan.step(`free fd ${handoff.slot} for the seccomp listener`, "close", [handoff.slot]);
  plan.step("install the seccomp filter", "seccomp", [SECCOMP_SET_MODE_FILTER, flags, fprog]);
  plan.step("hand over the seccomp listener", "sendmsg", [
    handoff.socket,
    planFdMessage(plan, handoff.slot),
    0,
  ]);
}

/** A struct msghdr in the arena: one data byte and `fd` as SCM_RIGHTS (LP64 layouts). */
function planFdMessage(plan: SpawnPlan, fd: number): bigint {
  const SOL_SOCKET = 1, SCM_RIGHTS = 1;
  const cmsg = new Uint8Array(24);
  const c = new DataView(cmsg.buffer);
  c.setBigUint64(0, 20n, true); // cmsg_len = CMSG_LEN(sizeof(int))
  c.setInt32(8, SOL_SOCKET, true);
  c.setInt32(12, SCM_RIGHTS, true);
  c.setInt32(16, fd, true);
  const iov = new Uint8Array(16);
  const v = new DataView(iov.buffer);
  v.setBigUint64(0, plan.bytes(new Uint8Array([0])), true);
  v.setBigUint64(8, 1n, true);
  const hdr = new Uint8Array(56);
  const h = new DataView(hdr.buffer);
  h.setBigUint64(16, plan.bytes(iov), true); // msg_iov
  h.setBigUint64(24, 1n, true); // msg_iovlen
  h.setBigUint64(32, plan.bytes(cmsg), true); // msg_control
  h.setBigUint64(40, BigInt(cmsg.length), true); // msg_controllen
  return plan.bytes(hdr);
}
