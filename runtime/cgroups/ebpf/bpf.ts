// The bpf(2) commands a cgroup device filter needs: load, attach, list, detach. glibc has no
// wrapper, so these go through syscall(2) with a zeroed `union bpf_attr` (the kernel requires
// unused tail bytes to be zero). Attaching uses BPF_F_ALLOW_MULTI, as runc and systemd do, so
// a new program can be in place before the old one is removed (no window without a filter).
import { sys } from "../../../syscalls/libc.ts";
import { SyscallError } from "../../../syscalls/errors.ts";
import { syscallNr } from "../../../syscalls/nr.ts";
import { CgroupError } from "../files.ts";

const PROG_LOAD = 5, PROG_ATTACH = 8, PROG_DETACH = 9, PROG_GET_FD_BY_ID = 13, PROG_QUERY = 16;
const PROG_TYPE_CGROUP_DEVICE = 15, ATTACH_CGROUP_DEVICE = 6, F_ALLOW_MULTI = 2;
const ATTR_SIZE = 128;

function address(buf: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
}

function bpf(cmd: number, attr: Uint8Array<ArrayBuffer>, what: string): number {
  return Number(sys("bpf", syscallNr("bpf"), [cmd, address(attr), attr.length], what));
}

function attr(fill: (v: DataView) => void): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(ATTR_SIZE);
  fill(new DataView(buf.buffer));
  return buf;
}

/** Loads a device program; the verifier's last complaint is in the error when it refuses. */
export function loadDeviceProgram(insns: Uint8Array<ArrayBuffer>): number {
  const license = new TextEncoder().encode("Apache-2.0\0") as Uint8Array<ArrayBuffer>;
  const log = new Uint8Array(65536);
  const a = attr((v) => {
    v.setUint32(0, PROG_TYPE_CGROUP_DEVICE, true);
    v.setUint32(4, insns.length / 8, true);
    v.setBigUint64(8, address(insns), true);
    v.setBigUint64(16, address(license), true);
    v.setUint32(24, 1, true); // log_level
    v.setUint32(28, log.length, true);
    v.setBigUint64(32, address(log), true);
  });
  try {
    return bpf(PROG_LOAD, a, "BPF_PROG_LOAD");
  } catch (e) {
    const text = new TextDecoder().decode(log.subarray(0, log.indexOf(0)));
    const last = text.trim().split("\n").pop();
    if (e instanceof SyscallError && last) {
      throw new CgroupError(`${e.message}; verifier: ${last}`);
    }
    throw e;
  }
}

export function attachDeviceProgram(cgroupFd: number, progFd: number): void {
  bpf(
    PROG_ATTACH,
    attr((v) => {
      v.setUint32(0, cgroupFd, true);
      v.setUint32(4, progFd, true);
      v.setUint32(8, ATTACH_CGROUP_DEVICE, true);
      v.setUint32(12, F_ALLOW_MULTI, true);
    }),
    "BPF_PROG_ATTACH",
  );
}

export function detachDeviceProgram(cgroupFd: number, progFd: number): void {
  bpf(
    PROG_DETACH,
    attr((v) => {
      v.setUint32(0, cgroupFd, true);
      v.setUint32(4, progFd, true);
      v.setUint32(8, ATTACH_CGROUP_DEVICE, true);
    }),
    "BPF_PROG_DETACH",
  );
}

/** Ids of the device programs attached directly to this cgroup (not inherited ones). */
export function queryDevicePrograms(cgroupFd: number): number[] {
  const ids = new Uint32Array(64);
  const idBytes = new Uint8Array(ids.buffer);
  const a = attr((v) => {
    v.setUint32(0, cgroupFd, true);
    v.setUint32(4, ATTACH_CGROUP_DEVICE, true);
    v.setBigUint64(16, address(idBytes), true);
    v.setUint32(24, ids.length, true);
  });
  bpf(PROG_QUERY, a, "BPF_PROG_QUERY");
  const count = new DataView(a.buffer).getUint32(24, true);
  return [...ids.subarray(0, count)];
}

export function programFdById(id: number): number {
  return bpf(PROG_GET_FD_BY_ID, attr((v) => v.setUint32(0, id, true)), "BPF_PROG_GET_FD_BY_ID");
}
