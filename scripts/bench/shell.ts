// Running host commands for the benchmark: argv as shell words, and runs whose failure is data.

/** One shell word for `s`, quoted only when needed so printed commands stay readable. */
export function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export function shellJoin(argv: string[]): string {
  return argv.map(quote).join(" ");
}

export interface Result {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `sh -c script` with stdin closed; never throws for a failing command. Output goes through
 * files, not pipes: a detached container inherits create's stdio and would hold a pipe open.
 */
export async function sh(script: string): Promise<Result> {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-bench-sh-" });
  try {
    const status = await new Deno.Command("sh", {
      args: ["-c", `{\n${script}\n} >"$1" 2>"$2"`, "sh", `${dir}/out`, `${dir}/err`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    const [stdout, stderr] = await Promise.all(
      ["out", "err"].map((f) => Deno.readTextFile(`${dir}/${f}`).catch(() => "")),
    );
    return { ok: status.success, stdout, stderr };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The line that best explains a failure: the last non-empty stderr line, shortened. */
export function reason(r: Result, max = 70): string {
  const lines = (r.stderr || r.stdout).split("\n").map((l) => l.trim()).filter(Boolean);
  const line = lines.at(-1) ?? "failed with no output";
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}
