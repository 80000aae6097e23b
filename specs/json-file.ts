// Reads a JSON document from disk for validation. Every failure is a Problem about the whole
// file (pointer ""), never an exception: a missing file, a directory, a FIFO, garbage, null.
import { describe } from "./primitives.ts";
import { error, type Problem } from "./problem.ts";

/** Far above any real config; keeps a runaway file (or /dev/zero) from eating memory. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

export type JsonRead = { value: Record<string, unknown>; text: string; problem?: undefined } | {
  value?: undefined;
  text?: undefined;
  problem: Problem;
};

/** Reads `path` and parses it as a JSON object. */
export function readJsonObject(path: string): JsonRead {
  const fail = (message: string): JsonRead => ({ problem: error("", message) });
  let text: string;
  try {
    // stat first: reading a FIFO would block and reading a device might never end.
    const st = Deno.statSync(path);
    if (st.isDirectory) return fail(`${path} is a directory, not a file`);
    if (!st.isFile) return fail(`${path} is not a regular file`);
    if (st.size > MAX_JSON_BYTES) {
      return fail(`${path} is too large (${st.size} bytes, the limit is ${MAX_JSON_BYTES})`);
    }
    text = new TextDecoder().decode(Deno.readFileSync(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return fail(`${path} does not exist`);
    if (e instanceof Deno.errors.PermissionDenied) return fail(`${path}: permission denied`);
    return fail(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (text.trim() === "") return fail("empty file, expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(`not valid JSON: ${printable(e instanceof Error ? e.message : String(e))}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(`expected a JSON object, got ${describe(value)}`);
  }
  return { value: value as Record<string, unknown>, text };
}

/** V8's JSON errors quote the input: keep control bytes of binary garbage off the terminal. */
function printable(s: string): string {
  const clean = Array.from(s, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x20 || (n >= 0x7f && n < 0xa0) ? `\\x${n.toString(16).padStart(2, "0")}` : c;
  }).join("");
  return clean.length > 200 ? clean.slice(0, 200) + "..." : clean;
}
