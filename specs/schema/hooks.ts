// config.json `hooks` (config.md#posix-platform-hooks).
import * as z from "zod";
import { integer, object, strings } from "../primitives.ts";

/** Hook names in the order the lifecycle runs them. */
export const HOOK_NAMES = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
] as const;

export type HookName = (typeof HOOK_NAMES)[number];

export const HookSchema = object({
  path: z.string(),
  args: strings.optional(),
  env: strings.optional(),
  timeout: integer(
    "timeout",
    1n,
    2n ** 31n - 1n,
    (got) => `expected a whole number of seconds >= 1, got ${JSON.stringify(got)}`,
  ).optional(),
});

const hookList = z.array(HookSchema).optional();

export const HooksSchema = object({
  prestart: hookList,
  createRuntime: hookList,
  createContainer: hookList,
  startContainer: hookList,
  poststart: hookList,
  poststop: hookList,
});

export type Hook = z.infer<typeof HookSchema>;
export type Hooks = z.infer<typeof HooksSchema>;
