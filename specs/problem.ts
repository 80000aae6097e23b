// What every check reports: where (an RFC 6901 JSON pointer into the document), what, how bad.

export type Severity = "error" | "warning";

export interface Problem {
  /** RFC 6901 JSON pointer; "" means the document as a whole. */
  pointer: string;
  message: string;
  severity: Severity;
}

/** Builds a JSON pointer from path segments, escaping "~" and "/" as RFC 6901 requires. */
export function pointer(...segments: PropertyKey[]): string {
  return segments.map((s) => "/" + String(s).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

export function error(ptr: string, message: string): Problem {
  return { pointer: ptr, message, severity: "error" };
}

export function warning(ptr: string, message: string): Problem {
  return { pointer: ptr, message, severity: "warning" };
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === "error");
}

/**
 * One line for a human: `/pointer: message`, with `warning: ` in front of warnings. A problem
 * with the whole document (pointer "") is named by `document`, e.g. `config.json: empty file`.
 */
export function formatProblem(p: Problem, document = "config.json"): string {
  const line = `${p.pointer === "" ? document : p.pointer}: ${p.message}`;
  return p.severity === "warning" ? `warning: ${line}` : line;
}

/**
 * Why `document` cannot be used, as the one line create reports: its first error, and how many
 * more `tsrun validate` would list, e.g. `config.json: /process/cwd: cwd must be absolute, got
 * "tmp" (and 2 more: run tsrun validate)`.
 */
export function firstError(document: string, problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === "error");
  const [first] = errors;
  const where = first?.pointer ? `${document}: ${first.pointer}` : document;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more: run tsrun validate)` : "";
  return `${where}: ${first?.message ?? "invalid"}${more}`;
}
