// Pieces several commands share: the state store, warnings, loading a bundle's config.
import type { Context } from "./command.ts";
import { CliError } from "./command.ts";
import { Store } from "../runtime/state/store.ts";
import { ensureOwnStateRoot } from "../runtime/state/root.ts";
import { isHostRoot } from "../runtime/caller.ts";
import { writeLog } from "./log.ts";
import type { Config } from "../specs/schema/config.ts";
import { firstError, hasErrors } from "../specs/problem.ts";
import { checks, fastChecks } from "../runtime/parts.ts";
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

/**
 * Validates <bundle>/config.json, or `raw` (parsed from `text`) when the caller has already read
 * and parsed it. A raw config the fast path vouches for is checked without loading zod, whose
 * part costs create ~30 ms of CPU while the container's init boots.
 */
export async function loadConfig(
  bundle: string,
  raw?: Record<string, unknown>,
  text?: string,
): Promise<Config> {
  let loaded = raw && (await fastChecks()).validateConfigFast(raw, bundle, text);
  if (!loaded) {
    const { loadBundle, validateConfig } = await checks();
    loaded = raw ? validateConfig(raw, bundle, text) : loadBundle(bundle);
  }
  const { config, problems } = loaded;
  if (hasErrors(problems) || !config) throw new CliError(firstError("config.json", problems));
  return config;
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
