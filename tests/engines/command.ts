// Runs an engine's CLI (podman, ctr, script) the way a user would, with a deadline: an engine
// that waits forever on the runtime must fail one test, not hang the suite.
export interface CommandOptions {
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  stdin?: string;
  /** Kill the command and fail after this many ms (default 60 s). */
  timeout?: number;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `argv` run to completion; throws only on a timeout, naming the command. */
export async function command(argv: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const timeout = opts.timeout ?? 60_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  // Output goes to files, not pipes: a detached container or a daemon the command starts may
  // keep a pipe's write end open long after the command itself exited.
  const out = await Deno.makeTempFile({ prefix: "tsrun-engine-out-" });
  const err = await Deno.makeTempFile({ prefix: "tsrun-engine-err-" });
  try {
    const child = new Deno.Command("/bin/sh", {
      args: ["-c", 'out=$1 err=$2; shift 2; exec "$@" >"$out" 2>"$err"', "sh", out, err, ...argv],
      env: opts.env,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "null",
      stderr: "null",
      signal: abort.signal,
    }).spawn();
    if (opts.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(opts.stdin)).catch(() => {});
      await writer.close().catch(() => {});
    }
    const status = await child.status;
    if (abort.signal.aborted) {
      throw new Error(`${argv.join(" ")}: no exit after ${timeout} ms (killed)`);
    }
    return {
      code: status.code,
      stdout: await Deno.readTextFile(out),
      stderr: await Deno.readTextFile(err),
    };
  } finally {
    clearTimeout(timer);
    await Deno.remove(out).catch(() => {});
    await Deno.remove(err).catch(() => {});
  }
}

/** Polls `check` every 50 ms until it returns true or `ms` pass; returns its last answer. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5_000,
): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Throws naming `what`, the exit code and stderr unless the command succeeded. */
export async function mustSucceed(result: Promise<CommandResult>, what: string): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}
