// The runtimes compared, each with its own state root so their containers never mix, and
// container ids unique to this bench run so cleanup can name every one it made.
import { shellJoin } from "./shell.ts";

export interface Runtime {
  name: string;
  /** The binary followed by its global flags (--root). */
  argv: string[];
  root: string;
  /** Ids this run created (or may have), all deleted by cleanup. */
  ids: Set<string>;
}

export function runtime(name: string, bin: string, workDir: string): Runtime {
  const root = `${workDir}/state-${name}`;
  return { name, argv: [bin, "--root", root], root, ids: new Set() };
}

/** Shell command running `rt` with `args`. */
export function cmd(rt: Runtime, ...args: string[]): string {
  return shellJoin([...rt.argv, ...args]);
}

/** A container id for `rt`, recorded for cleanup. */
export function containerId(rt: Runtime, what: string): string {
  const id = `bench${Deno.pid}-${rt.name}-${what}`;
  rt.ids.add(id);
  return id;
}
