// config.json `hooks` (config.md#posix-platform-hooks).
import * as z from "zod";
import { integer, object, strings } from "../primitives.ts";

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
