// The entry of a command's bundle (runtime/bundles.ts): the command is part of the bundle, and
// the bundle runs only while it is what its sources say. A stale bundle (a source edited since
// `deno task bundle`), or a call for another command, replaces this process with tsrun from
// source: same pid, argv, fds and environment, as scripts/tsrun would have started it.
import type { Command } from "./command.ts";
import { cli } from "./main.ts";
import { isFresh, SOURCE_ROOT } from "../runtime/bundles.ts";

async function fromSource(): Promise<never> {
  // Loaded only here: binding FFI costs a few ms that the fresh path does not pay.
  const { execve } = await import("../syscalls/process.ts");
  const argv = [
    "deno",
    ...["run", "-A", "--cached-only", "--no-lock", "--quiet", "--no-prompt"],
    ...["--config", `${SOURCE_ROOT}deno.json`, `${SOURCE_ROOT}main.ts`],
    ...Deno.args,
  ];
  const env = Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`);
  return execve(Deno.execPath(), argv, env);
}

export async function runBundled(name: string, command: Command): Promise<never> {
  if (!isFresh(name)) await fromSource();
  Deno.exit(await cli(Deno.args, (n) => n === name ? Promise.resolve(command) : fromSource()));
}
