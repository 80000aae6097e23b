// Hook names of config.json `hooks` (config.md#posix-platform-hooks), in the order the
// lifecycle runs them.
export const HOOK_NAMES = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
] as const;

export type HookName = (typeof HOOK_NAMES)[number];
