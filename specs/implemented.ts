// What tsrun implements, as `tsrun features` reports it and validation warns about. The single
// place to update when a feature lands: keep every entry true to the runtime, not the spec.
import { CAPABILITIES } from "./capabilities.ts";
import { MOUNT_OPTIONS } from "./mount-options.ts";
import { NAMESPACE_TYPES } from "./namespaces.ts";
import { HOOK_NAMES } from "./hook-names.ts";
import type { Features } from "./schema/features.ts";
import {
  SECCOMP_ACTIONS,
  SECCOMP_ARCHS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from "./seccomp-names.ts";
import { archsWithTables } from "./syscalls.ts";

/** The runtime-spec version tsrun follows; `tsrun spec` writes it. */
export const SPEC_VERSION = "1.2.0";

/** The oldest config version tsrun accepts. */
export const MIN_SPEC_VERSION = "1.0.0";

export const IMPLEMENTED = {
  namespaces: NAMESPACE_TYPES,
  hooks: HOOK_NAMES,
  capabilities: CAPABILITIES,
  mountOptions: MOUNT_OPTIONS,
  cgroup: { v1: true, v2: true, systemd: true, systemdUser: false, rdma: true },
  seccomp: true,
  /** Applied when the host has the LSM; asking for one it lacks fails `create`. */
  apparmor: true,
  selinux: true,
  intelRdt: false,
  /** ID-mapped mounts: idmap/ridmap options, mounts[].uidMappings/gidMappings. */
  idmapMounts: true,
  /** linux.netDevices (runtime-spec 1.3; accepted in configs, not reported by features). */
  netDevices: false,
  /** Other config fields that are accepted but not applied yet, as JSON pointers. */
  notApplied: [] as string[],
};

/** The features document (features.md) for what IMPLEMENTED says, without annotations. */
export function features(): Features {
  const seccomp: NonNullable<Features["linux"]>["seccomp"] = IMPLEMENTED.seccomp
    ? {
      enabled: true,
      actions: [...SECCOMP_ACTIONS],
      operators: [...SECCOMP_OPERATORS],
      // Only those with a syscall table: any other ABI is killed.
      archs: SECCOMP_ARCHS.filter((a) => archsWithTables([a]).length > 0),
      knownFlags: [...SECCOMP_FLAGS],
      supportedFlags: [...SECCOMP_FLAGS],
    }
    : { enabled: false };
  return {
    ociVersionMin: MIN_SPEC_VERSION,
    ociVersionMax: SPEC_VERSION,
    hooks: [...IMPLEMENTED.hooks],
    mountOptions: [...IMPLEMENTED.mountOptions],
    linux: {
      namespaces: [...IMPLEMENTED.namespaces],
      capabilities: [...IMPLEMENTED.capabilities],
      cgroup: { ...IMPLEMENTED.cgroup },
      seccomp,
      apparmor: { enabled: IMPLEMENTED.apparmor },
      selinux: { enabled: IMPLEMENTED.selinux },
      intelRdt: { enabled: IMPLEMENTED.intelRdt },
      mountExtensions: { idmap: { enabled: IMPLEMENTED.idmapMounts } },
    },
  };
}
