// config.json `linux` (config-linux.md). `resources` comes from ../resources.ts, shared with
// the cgroup layer and `update --resources`.
import * as z from "zod";
import { PROPAGATION_OPTIONS } from "../mount-options.ts";
import { LinuxResourcesSchema } from "../resources.ts";
import { NAMESPACE_TYPES } from "../namespaces.ts";
import {
  SECCOMP_ACTIONS,
  SECCOMP_ARCHS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from "../seccomp-names.ts";
import { int64, object, oneOf, stringMap, strings, uint32, uint64 } from "../primitives.ts";
import { idMappings } from "./mount.ts";

export const NamespaceSchema = object({
  type: oneOf("namespace", NAMESPACE_TYPES),
  path: z.string().optional(),
});

export const DEVICE_TYPES = ["c", "b", "u", "p"] as const;

export const DeviceSchema = object({
  type: oneOf("device type", DEVICE_TYPES),
  path: z.string(),
  major: int64.optional(),
  minor: int64.optional(),
  // Podman passes the host node's st_mode, file-type bits included (e.g. 8612 = S_IFCHR|0644);
  // like runc, only the permission bits are used.
  fileMode: uint32.optional(),
  uid: uint32.optional(),
  gid: uint32.optional(),
});

const seccompAction = oneOf("seccomp action", SECCOMP_ACTIONS);

export const SyscallArgSchema = object({
  index: uint32,
  value: uint64,
  valueTwo: uint64.optional(),
  op: oneOf("seccomp operator", SECCOMP_OPERATORS),
});

export const SyscallSchema = object({
  names: strings.min(1, "must name at least one syscall"),
  action: seccompAction,
  errnoRet: uint32.optional(),
  args: z.array(SyscallArgSchema).optional(),
});

export const SeccompSchema = object({
  defaultAction: seccompAction,
  defaultErrnoRet: uint32.optional(),
  architectures: z.array(oneOf("seccomp architecture", SECCOMP_ARCHS)).optional(),
  flags: z.array(oneOf("seccomp flag", SECCOMP_FLAGS)).optional(),
  listenerPath: z.string().optional(),
  listenerMetadata: z.string().optional(),
  syscalls: z.array(SyscallSchema).optional(),
});

/**
 * The spec's schema lists the four plain values; runc also accepts the recursive forms, and
 * configs written for it use them (e.g. "rslave"): the mount propagation options.
 */
export const ROOTFS_PROPAGATIONS = PROPAGATION_OPTIONS;

const timeOffset = object({ secs: int64.optional(), nanosecs: uint32.optional() });

export const LinuxSchema = object({
  namespaces: z.array(NamespaceSchema).optional(),
  uidMappings: idMappings.optional(),
  gidMappings: idMappings.optional(),
  timeOffsets: object({
    boottime: timeOffset.optional(),
    monotonic: timeOffset.optional(),
  }).optional(),
  devices: z.array(DeviceSchema).optional(),
  netDevices: z.record(z.string(), object({ name: z.string().optional() })).optional(),
  cgroupsPath: z.string().optional(),
  resources: LinuxResourcesSchema.optional(),
  rootfsPropagation: oneOf("rootfs propagation", ROOTFS_PROPAGATIONS).optional(),
  seccomp: SeccompSchema.optional(),
  sysctl: stringMap.optional(),
  maskedPaths: strings.optional(),
  readonlyPaths: strings.optional(),
  mountLabel: z.string().optional(),
  intelRdt: object({
    closID: z.string().optional(),
    l3CacheSchema: z.string().optional(),
    memBwSchema: z.string().regex(/^MB:[^\n]*$/, {
      error: 'must start with "MB:" and be one line',
    }).optional(),
    enableCMT: z.boolean().optional(),
    enableMBM: z.boolean().optional(),
  }).optional(),
  personality: object({
    domain: oneOf("personality domain", ["LINUX", "LINUX32"]),
    flags: strings.optional(),
  }).optional(),
});

export type Linux = z.infer<typeof LinuxSchema>;
export type Namespace = z.infer<typeof NamespaceSchema>;
export type Device = z.infer<typeof DeviceSchema>;
export type Seccomp = z.infer<typeof SeccompSchema>;
export type Syscall = z.infer<typeof SyscallSchema>;
