// The whole config.json (config.md). Structure only: what needs more than one field or the
// host to judge is in ../semantic/.
import * as z from "zod";
import { object, stringMap } from "../primitives.ts";
import { HooksSchema } from "./hooks.ts";
import { LinuxSchema } from "./linux.ts";
import { MountSchema } from "./mount.ts";
import { ProcessSchema } from "./process.ts";

export const ConfigSchema = object({
  ociVersion: z.string(),
  root: object({ path: z.string(), readonly: z.boolean().optional() }).optional(),
  process: ProcessSchema.optional(),
  hostname: z.string().optional(),
  domainname: z.string().optional(),
  mounts: z.array(MountSchema).optional(),
  hooks: HooksSchema.optional(),
  annotations: stringMap.optional(),
  linux: LinuxSchema.optional(),
});

export type Config = z.infer<typeof ConfigSchema>;
