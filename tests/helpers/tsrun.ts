// Runs the tsrun CLI the way an engine does: a separate process, with a state --root private to
// the current test file so files never see each other's containers.
import { join } from "node:path";
import { REPO_ROOT } from "./rootfs.ts";

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

export interface RunOptions {
  stdin?: string | Uint8Array;
  /** Added to the inherited environment (or the whole environment with clearEnv). */
  env?: Record<string, string>;
  /** Start from an empty environment, as container engines call runtimes. */
  clearEnv?: boolean;
  cwd?: string;
  /** Overrides the per-file state root. */
  root?: string;
  /** A command tsrun runs through, e.g. ["nsenter", "--mount=/proc/N/ns/mnt", "--"]. */
  prefix?: string[];
  /** A cgroup.procs file tsrun is moved into first (as if started from that cgroup). */
  cgroupProcs?: string;
  /** Kill tsrun and fail after this many ms (default 60 s), so a hang fails one test only. */
  timeout?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `tsrun --root <root> ...args`; never throws for a non-zero exit, only for a timeout. */
export async function tsrun(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeout = opts.timeout ?? 60_000;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  const files: string[] = [];
  try {
    // stdout/stderr go to files, not pipes: a container started by create or run -d inherits
    // them, and a pipe would not reach EOF until the container exits.
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
        ...opts.prefix ?? [],
        TSRUN,
        "--root",
        opts.root ?? stateRoot(),
        ...args,
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
      // The container may exit without reading its stdin: a broken pipe is not our failure.
      await writer.write(data).catch(() => {});
      await writer.close().catch(() => {});
    }
    const status = await child.status;
    if (abort.signal.aborted) {
      throw new Error(`tsrun ${args.join(" ")}: no exit after ${timeout} ms (killed)`);
    }
    return {
      code: status.code,
      stdout: await Deno.readTextFile(out),
      stderr: await Deno.readTextFile(err),
    };
  } finally {
    clearTimeout(timer);
    for (const f of files.splice(0)) await Deno.remove(f).catch(() => {});
  }
}
