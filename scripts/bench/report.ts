// The side-by-side table: medians per runtime, with each runtime's ratio to runc.
import type { Cell, Scenario } from "./scenarios.ts";

const BASELINE = "runc";

function fmt(value: number, unit: string): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ${unit}`;
}

function cell(c: Cell, unit: string, base: Cell | undefined, isBase: boolean): string {
  if ("na" in c) return `n/a (${c.na})`;
  if (isBase || !base || "na" in base) return fmt(c.value, unit);
  return `${fmt(c.value, unit)} (${(c.value / base.value).toFixed(2)}x)`;
}

/** A Markdown table; `results[i][j]` is scenario i on runtime j. */
export function table(scenarios: Scenario[], names: string[], results: Cell[][]): string {
  const b = names.indexOf(BASELINE);
  const rows = scenarios.map((s, i) => [
    s.title,
    ...results[i].map((c, j) => cell(c, s.unit, results[i][b], j === b)),
  ]);
  const head = ["scenario (median)", ...names.map((n) => n === BASELINE ? n : `${n} (vs runc)`)];
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
