// The entry of a command's bundle (runtime/bundles.ts): the command is part of the bundle, which
// scripts/tsrun starts only while none of its sources changed since `deno task bundle`. A bundle
// built by another Deno, or a call for another command, replaces this process with tsrun from
// source: same pid, argv, fds and environment, as scripts/tsrun would have started it.
import type { Command } from "./command.ts";
import { cli } from "./main.ts";
import { SOURCE_ROOT } from "../runtime/bundles.ts";

async function fromSource(): Promise<never> {
  // Loaded only here: binding FFI costs a few ms that the fresh path does not pay.
  const { execve } = await import("../syscalls/process.ts");
  const argv = [
    "deno",
    ...["run", "-A", "--cached-only", "--no-lock", "--quiet", "--no-prompt"],
    "--v8-flags=--single-threaded",
    ...["--config", `${SOURCE_ROOT}deno.json`, `${SOURCE_ROOT}main.ts`],
    ...Deno.args,
  ];
  const env = Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`);
  return execve(Deno.execPath(), argv, env);
}

/** `exit` is the bundle's own (runtime/bundles.ts): exitSoon, or Deno.exit in a bundle of a
 * command that never binds libc. */
export async function runBundled(
  name: string,
  command: Command,
  builtBy: string,
  exit: (code: number) => never,
): Promise<never> {
  if (builtBy !== Deno.version.deno) await fromSource();
  exit(await cli(Deno.args, (n) => n === name ? Promise.resolve(command) : fromSource()));
}
