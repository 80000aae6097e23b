// One hyperfine measurement of one command; its median comes from the JSON export.
import { reason, sh, shellJoin } from "./shell.ts";

export interface Timing {
  /** Median wall time in seconds. */
  median: number;
}

export interface Options {
  runs: number;
  warmup: number;
  /** Untimed command before each run. */
  prepare?: string;
}

/** Median of `command`, or the reason hyperfine gave up (e.g. the command failed mid-way). */
export async function measure(
  name: string,
  command: string,
  opts: Options,
): Promise<Timing | { error: string }> {
  const json = await Deno.makeTempFile({ prefix: "tsrun-bench-", suffix: ".json" });
  try {
    const args = ["hyperfine", "--style", "none", "--runs", `${opts.runs}`];
    args.push("--warmup", `${opts.warmup}`, "--export-json", json, "-n", name);
    if (opts.prepare) args.push("--prepare", opts.prepare);
    const r = await sh(shellJoin([...args, command]));
    if (!r.ok) return { error: reason(r) };
    const report = JSON.parse(await Deno.readTextFile(json));
    return { median: report.results[0].median };
  } finally {
    await Deno.remove(json);
  }
}
