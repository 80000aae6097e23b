// Where the milliseconds of tsrun's `run true` go: `tsrun --debug` prints a trace mark per phase,
// from the parent and from the init (process/trace.ts); this takes the median of each phase over
// several runs, the first one counted from the moment the shell started tsrun.
import { cmd, containerId, type Runtime } from "./runtimes.ts";
import { reason, sh } from "./shell.ts";
import { median } from "./scenarios.ts";

export async function runBreakdown(rt: Runtime, bundle: string, runs: number): Promise<string> {
  const id = containerId(rt, "trace");
  const phases = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    const r = await sh(`date +%s%3N >&2; ${cmd(rt, "--debug", "run", "-b", bundle, id)}`);
    if (!r.ok) return `run breakdown: n/a (${reason(r)})`;
    const lines = r.stderr.trim().split("\n");
    let last = Number(lines[0]);
    for (const line of lines.slice(1)) {
      const m = /^tsrun: debug: trace (\d+) (.+)$/.exec(line);
      if (!m) continue;
      const list = phases.get(m[2]) ?? [];
      list.push(Number(m[1]) - last);
      phases.set(m[2], list);
      last = Number(m[1]);
    }
  }
  const rows = [...phases].map(([label, ms]) =>
    `  ${median(ms).toFixed(0).padStart(4)} ms  until ${label}`
  );
  return [`where tsrun's run \`true\` spends its time (median of ${runs}, each phase):`, ...rows]
    .join("\n");
}
