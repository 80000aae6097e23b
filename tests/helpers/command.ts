// Runs a command to completion with a deadline, its output captured through files: a container
// started by create or run -d (or a daemon an engine starts) inherits stdout/stderr, and a pipe
// would not reach EOF until it exits. A hang fails one test, not the suite.
export interface CommandOptions {
  stdin?: string | Uint8Array;
  /** Added to the inherited environment (or the whole environment with clearEnv). */
  env?: Record<string, string>;
  /** Start from an empty environment, as container engines call runtimes. */
  clearEnv?: boolean;
  cwd?: string;
  /** A cgroup.procs file the command is moved into first (as if started from that cgroup). */
  cgroupProcs?: string;
  /** Kill the command and fail after this many ms (default 60 s). */
  timeout?: number;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `argv` run to completion; never throws for a non-zero exit, only for a timeout. */
export async function command(argv: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const timeout = opts.timeout ?? 60_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  const files: string[] = [];
  try {
    const out = await Deno.makeTempFile({ prefix: "tsrun-out-" });
    const err = await Deno.makeTempFile({ prefix: "tsrun-err-" });
    files.push(out, err);
    const child = new Deno.Command("/bin/sh", {
      args: [
        "-c",
        'out=$1 err=$2; shift 2; [ -z "$TSRUN_CG" ] || echo $$ >"$TSRUN_CG" || exit 99; ' +
        'exec "$@" >"$out" 2>"$err"',
        "sh",
        out,
        err,
        ...argv,
      ],
      cwd: opts.cwd,
      env: { ...opts.env, TSRUN_CG: opts.cgroupProcs ?? "" },
      clearEnv: opts.clearEnv,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "null",
      stderr: "null",
      signal: abort.signal,
    }).spawn();
    if (opts.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      const data = typeof opts.stdin === "string"
        ? new TextEncoder().encode(opts.stdin)
        : opts.stdin;
      // The command may exit without reading its stdin: a broken pipe is not our failure.
      await writer.write(data).catch(() => {});
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
    for (const f of files) await Deno.remove(f).catch(() => {});
  }
}

/** `argv` as an unprivileged user: its uid and gid, no supplementary groups. */
export function asUserArgv(user: { uid: number; gid: number }, argv: string[]): string[] {
  return ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", "--", ...argv];
}
