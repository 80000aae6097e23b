// config.json `process` (config.md#process), which is also what `exec --process` reads.
import * as z from "zod";
import { RLIMITS } from "../rlimits.ts";
import { IO_PRIORITY_CLASSES, SCHEDULER_FLAGS, SCHEDULER_POLICIES } from "../scheduling.ts";
import { int32, object, oneOf, strings, uint32, uint64 } from "../primitives.ts";

const cpuList = z.string().regex(/^[0-9, -]*$/, {
  error: 'expected a CPU list like "0-3,7"',
});

export const UserSchema = object({
  uid: uint32.optional(),
  gid: uint32.optional(),
  umask: uint32.optional(),
  additionalGids: z.array(uint32).optional(),
  username: z.string().optional(),
});

export const CapabilitiesSchema = object({
  bounding: strings.optional(),
  effective: strings.optional(),
  inheritable: strings.optional(),
  permitted: strings.optional(),
  ambient: strings.optional(),
});

export const RlimitSchema = object({
  type: oneOf("rlimit", RLIMITS),
  soft: uint64,
  hard: uint64,
});

export const ProcessSchema = object({
  terminal: z.boolean().optional(),
  consoleSize: object({ height: uint64, width: uint64 }).optional(),
  user: UserSchema.optional(),
  args: strings.optional(),
  commandLine: z.string().optional(),
  env: strings.optional(),
  cwd: z.string(),
  capabilities: CapabilitiesSchema.optional(),
  rlimits: z.array(RlimitSchema).optional(),
  noNewPrivileges: z.boolean().optional(),
  apparmorProfile: z.string().optional(),
  oomScoreAdj: int32.optional(),
  selinuxLabel: z.string().optional(),
  ioPriority: object({
    class: oneOf("I/O priority class", IO_PRIORITY_CLASSES),
    // REQUIRED in the prose (config.md), though the spec's JSON schema requires only class.
    priority: int32,
  }).optional(),
  scheduler: object({
    policy: oneOf("scheduler policy", SCHEDULER_POLICIES),
    nice: int32.optional(),
    priority: int32.optional(),
    flags: z.array(oneOf("scheduler flag", SCHEDULER_FLAGS)).optional(),
    runtime: uint64.optional(),
    deadline: uint64.optional(),
    period: uint64.optional(),
  }).optional(),
  execCPUAffinity: object({
    initial: cpuList.optional(),
    final: cpuList.optional(),
  }).optional(),
});

export type Process = z.infer<typeof ProcessSchema>;
export type User = z.infer<typeof UserSchema>;
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
export type Rlimit = z.infer<typeof RlimitSchema>;
