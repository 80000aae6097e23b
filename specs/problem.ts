/** One finding of a config check: where (a JSON pointer), what, and whether it blocks. */
export interface Problem {
  pointer: string;
  message: string;
  severity: "error" | "warning";
}
