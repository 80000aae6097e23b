// Runs the tsrun CLI the way an engine does: a separate process, with a state --root private to
// the current test file so files never see each other's containers.
import { join } from "node:path";
import { REPO_ROOT } from "./rootfs.ts";
import { command, type CommandOptions, type CommandResult } from "./command.ts";

/** The CLI under test: $TSRUN_BIN (e.g. a compiled dist/tsrun) or scripts/tsrun from source. */
export const TSRUN = Deno.env.get("TSRUN_BIN") ?? join(REPO_ROOT, "scripts", "tsrun");

let root: string | undefined;

/**
 * This test file's state root, created on first use. Deno runs each test file in its own
 * isolate, so module state is per file; the directory goes when the file's tests end.
 */
export function stateRoot(): string {
  if (root) return root;
  root = Deno.makeTempDirSync({ prefix: "tsrun-test-root-" });
  const dir = root;
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
  });
  return dir;
}

export interface RunOptions extends CommandOptions {
  /** Overrides the per-file state root. */
  root?: string;
  /** A command tsrun runs through, e.g. ["nsenter", "--mount=/proc/N/ns/mnt", "--"]. */
  prefix?: string[];
}

export type RunResult = CommandResult;

/** `tsrun --root <root> ...args`; never throws for a non-zero exit, only for a timeout. */
export function tsrun(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return command([...opts.prefix ?? [], TSRUN, "--root", opts.root ?? stateRoot(), ...args], opts);
}
