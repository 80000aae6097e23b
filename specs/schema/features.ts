// What `tsrun features` prints (features.md, features-linux.md). Every property but the two
// versions may be absent; absent means "unknown", not "false".
import * as z from "zod";
import { NAMESPACE_TYPES } from "../namespaces.ts";
import {
  SECCOMP_ACTIONS,
  SECCOMP_ARCHS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from "../seccomp-names.ts";
import { object, oneOf, stringMap, strings } from "../primitives.ts";

const enabled = object({ enabled: z.boolean().optional() });

export const FeaturesSchema = object({
  ociVersionMin: z.string(),
  ociVersionMax: z.string(),
  hooks: strings.optional(),
  mountOptions: strings.optional(),
  annotations: stringMap.optional(),
  potentiallyUnsafeConfigAnnotations: strings.optional(),
  linux: object({
    namespaces: z.array(oneOf("namespace", NAMESPACE_TYPES)).optional(),
    capabilities: z.array(z.string().regex(/^CAP_[A-Z_]+$/)).optional(),
    cgroup: object({
      v1: z.boolean().optional(),
      v2: z.boolean().optional(),
      systemd: z.boolean().optional(),
      systemdUser: z.boolean().optional(),
      rdma: z.boolean().optional(),
    }).optional(),
    seccomp: object({
      enabled: z.boolean().optional(),
      actions: z.array(oneOf("seccomp action", SECCOMP_ACTIONS)).optional(),
      operators: z.array(oneOf("seccomp operator", SECCOMP_OPERATORS)).optional(),
      archs: z.array(oneOf("seccomp architecture", SECCOMP_ARCHS)).optional(),
      knownFlags: z.array(oneOf("seccomp flag", SECCOMP_FLAGS)).optional(),
      supportedFlags: z.array(oneOf("seccomp flag", SECCOMP_FLAGS)).optional(),
    }).optional(),
    apparmor: enabled.optional(),
    selinux: enabled.optional(),
    intelRdt: enabled.optional(),
    mountExtensions: object({ idmap: enabled.optional() }).optional(),
  }).optional(),
});

export type Features = z.infer<typeof FeaturesSchema>;
