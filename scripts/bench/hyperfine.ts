// One hyperfine measurement of one command: the wall time of each of its runs, from the JSON
// export.
import { reason, sh, shellJoin } from "./shell.ts";

export interface Timing {
  /** Wall time of each timed run, in seconds. */
  times: number[];
}

export interface Options {
  runs: number;
  warmup: number;
  /** Untimed command before each run. */
  prepare?: string;
}

/** The runs of `command`, or the reason hyperfine gave up (e.g. the command failed mid-way). */
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
    return { times: report.results[0].times };
  } finally {
    await Deno.remove(json);
  }
}
