// What the engine tests use to drive podman, ctr and script: the shared runner (with its
// deadline: an engine that waits forever on the runtime fails one test, not the suite), polling,
// and a success check.
export { command, type CommandOptions, type CommandResult } from "../helpers/command.ts";
import type { CommandResult } from "../helpers/command.ts";
import { until } from "../helpers/wait.ts";

/** Polls `check` every 50 ms until it returns true or `ms` pass; returns its last answer. */
export function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  return until(check, (v) => v, ms);
}

/** Throws naming `what`, the exit code and stderr unless the command succeeded. */
export async function mustSucceed(result: Promise<CommandResult>, what: string): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
