// config.json `mounts[]` (config.md#mounts) and the ID mapping shared with linux.uidMappings.
import * as z from "zod";
import { object, strings, uint32 } from "../primitives.ts";

export const IDMappingSchema = object({
  containerID: uint32,
  hostID: uint32,
  size: uint32,
});

export const idMappings = z.array(IDMappingSchema);

export const MountSchema = object({
  destination: z.string(),
  source: z.string().optional(),
  options: strings.optional(),
  type: z.string().optional(),
  uidMappings: idMappings.optional(),
  gidMappings: idMappings.optional(),
});

export type Mount = z.infer<typeof MountSchema>;
export type IDMapping = z.infer<typeof IDMappingSchema>;
