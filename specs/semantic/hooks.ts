// hooks (config.md#posix-platform-hooks): absolute paths, KEY=VALUE env, deprecated prestart.
import { pointer, type Problem, warning } from "../problem.ts";
import { HOOK_NAMES } from "../hook-names.ts";
import type { Check } from "./context.ts";
import { checkEnv } from "./env.ts";
import { absolutePath } from "./paths.ts";

export const checkHooks: Check = (config) => {
  const out: Problem[] = [];
  for (const name of HOOK_NAMES) {
    const hooks = config.hooks?.[name];
    if (name === "prestart" && hooks?.length) {
      out.push(
        warning(
          "/hooks/prestart",
          "deprecated: use createRuntime, createContainer or startContainer",
        ),
      );
    }
    hooks?.forEach((h, i) => {
      out.push(...absolutePath(h.path, pointer("hooks", name, i, "path"), "hook path"));
      out.push(...checkEnv(h.env, ["hooks", name, i, "env"]));
    });
  }
  return out;
};
