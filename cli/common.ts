// Pieces several commands share: the state store, warnings, the bundle and create flags.
import type { Context } from "./command.ts";
import { CliError } from "./command.ts";
import { Store } from "../runtime/state/store.ts";
import { ensureOwnStateRoot } from "../runtime/state/root.ts";
import { isHostRoot } from "../runtime/caller.ts";
import { writeLog } from "./log.ts";
import type { FlagDef } from "./args.ts";

export function storeOf(ctx: Context): Store {
  const { root, defaultRoot } = ctx.global;
  if (defaultRoot && !isHostRoot()) ensureOwnStateRoot(root);
  return new Store(root);
}

/**
 * A warning goes to stderr and, with --log, to the log file; only to the log with `logOnly`
 * (output engines parse, stdout and stderr together, must have no stderr on success).
 */
export function warner(ctx: Context, logOnly = false): (msg: string) => void {
  return (msg) => {
    if (!logOnly) Deno.stderr.writeSync(new TextEncoder().encode(`tsrun: warning: ${msg}\n`));
    try {
      writeLog(ctx.global, "warning", msg);
    } catch { /* best effort */ }
  };
}

export function bundleDir(ctx: Context): string {
  const raw = (ctx.flags.bundle as string | undefined) ?? ".";
  try {
    return Deno.realPathSync(raw);
  } catch {
    throw new CliError(`bundle ${raw}: no such directory`);
  }
}

export const idArg = { minArgs: 1, maxArgs: 1, usage: "<container-id>" } as const;

/** --bundle/-b, as every command that reads a bundle takes it. */
export const bundleFlag: FlagDef = {
  name: "bundle",
  short: "b",
  type: "string",
  value: "DIR",
  help: "path to the root of the bundle directory",
  default: ".",
};

export const createFlags: FlagDef[] = [
  bundleFlag,
  {
    name: "console-socket",
    type: "string",
    value: "PATH",
    help: "AF_UNIX socket that receives the pty master when process.terminal is true",
  },
  { name: "pid-file", type: "string", value: "FILE", help: "file to write the init's host pid to" },
  {
    name: "no-pivot",
    type: "boolean",
    help: "do not use pivot_root to jail the process inside the rootfs",
  },
  {
    name: "no-new-keyring",
    type: "boolean",
    help: "do not create a new session keyring for the container",
  },
  {
    name: "preserve-fds",
    type: "number",
    value: "N",
    help: "pass N additional file descriptors (3..N+2) to the container",
    default: 0,
  },
];
