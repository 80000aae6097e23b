// OCI runtime-spec v1.2 `linux.resources`: the zod schema (its semantic checks are in
// semantic/resources.ts). Unknown keys are kept and ignored, so newer configs still load.
import * as z from "zod";
import { int64, object, uint16, uint32, uint64 } from "./primitives.ts";

export const DeviceRuleSchema = object({
  allow: z.boolean(),
  type: z.string().optional(),
  major: int64.optional(),
  minor: int64.optional(),
  access: z.string().optional(),
});

const WeightDeviceSchema = object({
  major: int64,
  minor: int64,
  weight: uint16.optional(),
  leafWeight: uint16.optional(),
});

const ThrottleDeviceSchema = object({ major: int64, minor: int64, rate: uint64 });

export const LinuxResourcesSchema = object({
  devices: z.array(DeviceRuleSchema).optional(),
  memory: object({
    limit: int64.optional(),
    reservation: int64.optional(),
    swap: int64.optional(),
    kernel: int64.optional(),
    kernelTCP: int64.optional(),
    swappiness: uint64.optional(),
    disableOOMKiller: z.boolean().optional(),
    useHierarchy: z.boolean().optional(),
    checkBeforeUpdate: z.boolean().optional(),
  }).optional(),
  cpu: object({
    shares: uint64.optional(),
    quota: int64.optional(),
    burst: uint64.optional(),
    period: uint64.optional(),
    realtimeRuntime: int64.optional(),
    realtimePeriod: uint64.optional(),
    cpus: z.string().optional(),
    mems: z.string().optional(),
    idle: int64.optional(),
  }).optional(),
  pids: object({ limit: int64.optional() }).optional(),
  blockIO: object({
    weight: uint16.optional(),
    leafWeight: uint16.optional(),
    weightDevice: z.array(WeightDeviceSchema).optional(),
    throttleReadBpsDevice: z.array(ThrottleDeviceSchema).optional(),
    throttleWriteBpsDevice: z.array(ThrottleDeviceSchema).optional(),
    throttleReadIOPSDevice: z.array(ThrottleDeviceSchema).optional(),
    throttleWriteIOPSDevice: z.array(ThrottleDeviceSchema).optional(),
  }).optional(),
  hugepageLimits: z.array(object({ pageSize: z.string(), limit: uint64 })).optional(),
  network: object({
    classID: uint32.optional(),
    priorities: z.array(object({ name: z.string(), priority: uint32 })).optional(),
  }).optional(),
  rdma: z.record(
    z.string(),
    object({ hcaHandles: uint32.optional(), hcaObjects: uint32.optional() }),
  ).optional(),
  unified: z.record(z.string(), z.string()).optional(),
});

export type LinuxResources = z.infer<typeof LinuxResourcesSchema>;
export type DeviceRule = z.infer<typeof DeviceRuleSchema>;
