// Controller delegation on cgroup v2: a cgroup only has a controller's files when every
// ancestor lists the controller in cgroup.subtree_control.
import { fieldError, readOptional, writeFile } from "./files.ts";
import type { Write } from "./types.ts";

function words(text: string | undefined): string[] {
  return text?.trim().split(/\s+/).filter((w) => w !== "") ?? [];
}

/** Enables `controllers` in every ancestor of `dir` from `top` (the mount) down, best effort:
 * a parent may hold processes or not delegate a controller. `checkControllers` reports what
 * actually arrived. */
export function enableControllers(top: string, dir: string, controllers: string[]): void {
  let path = top;
  for (const part of dir.slice(top.length).split("/").filter((p) => p !== "")) {
    const file = `${path}/cgroup.subtree_control`;
    const missing = controllers.filter((c) => !words(readOptional(file)).includes(c));
    if (missing.length > 0) {
      try {
        writeFile(file, missing.map((c) => `+${c}`).join(" "));
      } catch {
        // One refusal fails the whole write; enable what can be enabled one by one.
        for (const c of missing) {
          try {
            writeFile(file, `+${c}`);
          } catch {
            // Reported by checkControllers when the config needs it.
          }
        }
      }
    }
    path += `/${part}`;
  }
}

/** Throws for the first write whose controller `dir` did not get. */
export function checkControllers(dir: string, writes: Write[]): void {
  const have = words(readOptional(`${dir}/cgroup.controllers`));
  const w = writes.find((w) => w.controller !== "cgroup" && !have.includes(w.controller));
  if (w) {
    throw fieldError(
      w.field,
      `the ${w.controller} controller could not be enabled for ${dir} ` +
        "(an ancestor has processes of its own or does not delegate it)",
    );
  }
}

/** Controllers the writes need, excluding the always-present core ("cgroup.*" files). */
export function neededControllers(writes: Write[]): string[] {
  return [...new Set(writes.map((w) => w.controller).filter((c) => c !== "cgroup"))];
}

/** Throws for the first write whose controller the hierarchy does not offer at all. */
export function checkAvailable(available: string[], writes: Write[], where: string): void {
  const w = writes.find((w) => w.controller !== "cgroup" && !available.includes(w.controller));
  if (w) {
    throw fieldError(w.field, `needs the ${w.controller} controller, which ${where} does not have`);
  }
}
