// Turns zod issues into Problems with JSON pointers and messages meant for people: "required",
// "expected string, got number 5", or the message the schema itself chose.
import type { z } from "zod";
import { describe } from "./primitives.ts";
import { error, pointer, type Problem } from "./problem.ts";

const TYPE_NAMES: Record<string, string> = { record: "object", int: "integer" };

function message(issue: z.core.$ZodIssue): string {
  // Parsed with reportInput, every issue carries its input unless the value was absent.
  if (issue.input === undefined) return "required";
  if (issue.code === "invalid_type") {
    return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${describe(issue.input)}`;
  }
  return issue.message;
}

export function issuesToProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  return issues.map((i) => error(pointer(...i.path), message(i)));
}

/** Parses `data`, returning the typed value or the problems, never throwing. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  data: unknown,
): { value: z.infer<T>; problems: [] } | { value: undefined; problems: Problem[] } {
  const r = schema.safeParse(data, { reportInput: true });
  return r.success
    ? { value: r.data, problems: [] }
    : { value: undefined, problems: issuesToProblems(r.error.issues) };
}
