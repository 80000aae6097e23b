// The contract every command file (cli/commands/<name>.ts) fulfils.
import type { CommandDef, FlagValue } from "./args.ts";

export interface GlobalOptions {
  root: string;
  /** No --root: the default for the caller, which a non-root caller's store checks first. */
  defaultRoot: boolean;
  log?: string;
  logFormat: "text" | "json";
  debug: boolean;
  systemdCgroup: boolean;
  /** --rootless as runc decides it: auto is true unless the host's root (runtime/caller.ts). */
  rootless: boolean;
  criu?: string;
}

export interface Context {
  global: GlobalOptions;
  flags: Record<string, FlagValue>;
  args: string[];
}

export interface Command {
  def: CommandDef;
  /** Returns the process exit code. Throws for errors (one line each, no stack). */
  run(ctx: Context): Promise<number> | number;
}

/** An error whose message is already the one line the user should see. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "CliError";
  }
}
