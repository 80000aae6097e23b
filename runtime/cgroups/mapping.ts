// Pieces of the resources → control-file mapping that read the same on v1 and v2.
import type { LinuxResources } from "../../specs/resources.ts";
import type { HostView, Write } from "./types.ts";

export type Mapper = (r: LinuxResources, host: HostView) => Write[];

export function write(
  controller: string,
  file: string,
  value: string | number,
  field: string,
): Write {
  return { controller, file, value: String(value), field };
}

export const cpuset: Mapper = (r) => {
  const out: Write[] = [];
  if (r.cpu?.cpus) out.push(write("cpuset", "cpuset.cpus", r.cpu.cpus, "cpu.cpus"));
  if (r.cpu?.mems) out.push(write("cpuset", "cpuset.mems", r.cpu.mems, "cpu.mems"));
  return out;
};

/** Negative = no limit ("max"); 0 is a real limit (runtime-spec 1.2). */
export const pids: Mapper = (r) => {
  const limit = r.pids?.limit;
  return limit === undefined
    ? []
    : [write("pids", "pids.max", limit < 0 ? "max" : limit, "pids.limit")];
};

/** rdma.max line: "mlx5_1 hca_handle=3 hca_object=10000". */
export const rdma: Mapper = (r) =>
  Object.entries(r.rdma ?? {}).map(([dev, v]) => {
    const parts = [dev];
    if (v.hcaHandles !== undefined) parts.push(`hca_handle=${v.hcaHandles}`);
    if (v.hcaObjects !== undefined) parts.push(`hca_object=${v.hcaObjects}`);
    return write("rdma", "rdma.max", parts.join(" "), `rdma.${dev}`);
  });

/** Per-device throttle lists and the suffix their v1 file / v2 io.max key uses. */
export const THROTTLES = [
  ["throttleReadBpsDevice", "read_bps", "rbps"],
  ["throttleWriteBpsDevice", "write_bps", "wbps"],
  ["throttleReadIOPSDevice", "read_iops", "riops"],
  ["throttleWriteIOPSDevice", "write_iops", "wiops"],
] as const;

/**
 * hugetlb limits; `limit` is the file suffix ("limit_in_bytes" on v1, "max" on v2). Reservation
 * accounting (.rsvd.) is preferred by the runtime-spec; both get the same limit.
 */
export const hugepageLimits = (limit: string): Mapper => (r, host) =>
  (r.hugepageLimits ?? []).flatMap((h, i) => {
    const field = `hugepageLimits[${i}]`;
    const rsvd = `hugetlb.${h.pageSize}.rsvd.${limit}`;
    return [
      write("hugetlb", `hugetlb.${h.pageSize}.${limit}`, h.limit, field),
      ...(host.has("hugetlb", rsvd) ? [write("hugetlb", rsvd, h.limit, field)] : []),
    ];
  });
