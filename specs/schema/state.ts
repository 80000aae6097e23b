// The state of a container as `tsrun state` prints it and hooks read it (runtime.md#state).
import * as z from "zod";
import { object, oneOf, stringMap } from "../primitives.ts";

export const STATUSES = ["creating", "created", "running", "stopped"] as const;

export const StateSchema = object({
  ociVersion: z.string(),
  id: z.string(),
  status: oneOf("status", STATUSES),
  pid: z.number().refine((n) => Number.isInteger(n) && n >= 0, {
    error: (iss) => `expected a process ID >= 0, got ${iss.input}`,
  }).optional(),
  bundle: z.string(),
  annotations: stringMap.optional(),
});

export type State = z.infer<typeof StateSchema>;
export type Status = State["status"];
