// Where things are in a JSON document's text: the line and column of every member and array
// element (by JSON pointer), and the exact text of numbers a double may have rounded. Run only
// on text JSON.parse accepted, and only when a caller needs it (problems to place, long numbers).
import { pointer } from "./problem.ts";

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
}

export interface JsonSource {
  /** Where a member (its key) or an array element (its first character) starts. */
  positions: Map<string, number>;
  /** The text of numbers whose double may not be exact (16 or more digits) or that are written
   * with a fraction or an exponent (which Go's decoder refuses for an integer). */
  longNumbers: Map<string, string>;
  /** Offsets where lines start. */
  lines: number[];
}

/**
 * A number token with 16 or more digits (dots included) somewhere in the text: the only numbers
 * whose double may differ from their exact value in a way a range or integer check notices.
 */
export const LONG_NUMBER = /\d[\d.]{15}/;

/** A number token written with an exponent or a fraction ("1e3", "1.0,"): its text matters to
 * runc, whose Go decoder refuses it for an integer member. Strings like "1.2.0" do not match. */
export const WRITTEN_NUMBER = /\d[eE][+-]?\d|\d\.\d+\s*[,}\]]/;

/**
 * A number token whose double may not tell what its digits say: 16 or more digits, or an
 * exponent ("1e-400" parses to the integer 0; its digits are no integer). Matched only where a
 * value starts, so hex digests in strings do not; text in a string that looks like a value
 * start (": 1e3") still may, which only costs the exact path.
 */
export const INEXACT_NUMBER = /[:,[]\s*-?\d(?:[\d.]{15}|[\d.]*[eE])/;

const NUMBER_TOKEN = /^-?\d/;

const WS = new Set([" ", "\t", "\n", "\r"]);

/** Scans `text`, which must be valid JSON. */
export function scanJson(text: string): JsonSource {
  const positions = new Map<string, number>();
  const longNumbers = new Map<string, string>();
  const lines = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines.push(i + 1);
  let i = 0;
  const skip = () => {
    while (WS.has(text[i])) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const value = (path: PropertyKey[], at: number): void => {
    const ptr = pointer(...path);
    positions.set(ptr, at);
    // A repeated key: JSON.parse keeps the last value, so an earlier one's text no longer counts.
    longNumbers.delete(ptr);
    skip();
    const c = text[i];
    if (c === "{") {
      i++;
      skip();
      while (text[i] !== "}") {
        const keyAt = i;
        const key = string();
        skip();
        i++; // ':'
        value([...path, key], keyAt);
        skip();
        if (text[i] === ",") i++, skip();
      }
      i++;
    } else if (c === "[") {
      i++;
      skip();
      for (let n = 0; text[i] !== "]"; n++) {
        skip();
        value([...path, n], i);
        skip();
        if (text[i] === ",") i++, skip();
      }
      i++;
    } else if (c === '"') string();
    else {
      const start = i;
      while (i < text.length && !WS.has(text[i]) && !",]}".includes(text[i])) i++;
      const token = text.slice(start, i);
      const written = NUMBER_TOKEN.test(token) && /[.eE]/.test(token);
      if (LONG_NUMBER.test(token) || written) longNumbers.set(ptr, token);
    }
  };
  skip();
  value([], i);
  return { positions, longNumbers, lines };
}

/**
 * The position of what `ptr` names, or of its nearest enclosing member or element that exists
 * (a missing member is placed at the object that should hold it).
 */
export function positionOf(source: JsonSource, ptr: string): Position {
  let p = ptr;
  while (!source.positions.has(p) && p !== "") p = p.slice(0, p.lastIndexOf("/"));
  return at(source, source.positions.get(p) ?? 0);
}

/** Line and column of a character offset. */
export function at(source: JsonSource, offset: number): Position {
  let lo = 0, hi = source.lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (source.lines[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - source.lines[lo] + 1 };
}
