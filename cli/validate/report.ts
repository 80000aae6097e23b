// What `tsrun validate` found in each bundle, placed at lines and columns of config.json, and
// the four ways of printing it: text for people, JSON for programs, GitHub workflow commands
// and JUnit XML for CI.
import { type LoadedBundle, type Problem } from "../../specs/config.ts";
import { type JsonSource, positionOf, scanJson } from "../../specs/json-source.ts";
import { specSection } from "../../specs/spec-refs.ts";
import { normalize } from "../../runtime/path.ts";
import { RUNTIME_JSON } from "../../specs/runtime-json-file.ts";

export interface Located extends Problem {
  /** config.json as the user named it (relative paths stay relative, as CI annotations need). */
  file: string;
  line: number | null;
  column: number | null;
}

export interface BundleReport {
  bundle: string;
  file: string;
  problems: Located[];
  errors: number;
  warnings: number;
}

export const FORMATS = ["text", "json", "github", "junit"] as const;
export type Format = (typeof FORMATS)[number];

/** config.json of `bundle` as the user would write its path. */
export function configFile(bundle: string): string {
  const dir = bundle.replace(/(.)\/+$/, "$1");
  return dir === "." ? "config.json" : dir === "/" ? "/config.json" : `${dir}/config.json`;
}

/** A document's problems with their file; its text is scanned only when there is a problem. */
export interface Findings {
  problems: Problem[];
  text?: string;
}

/** Places each problem in `file`, at the line and column of its pointer in the text. */
function place(file: string, found: Findings): Located[] {
  let source: JsonSource | undefined;
  return found.problems.map((p): Located => {
    if (found.text !== undefined) {
      source ??= scanJson(found.text);
      return { ...p, file, ...positionOf(source, p.pointer) };
    }
    // V8 names where JSON.parse stopped: "... in JSON at position 9 (line 1 column 10)".
    const m = /\(line (\d+) column (\d+)\)/.exec(p.message);
    return { ...p, file, line: m ? Number(m[1]) : null, column: m ? Number(m[2]) : null };
  });
}

/**
 * Places every problem of a loaded bundle: config.json's and `extra` (the host's) in
 * config.json, `runtime`'s (LinuxKit's runtime.json, when the bundle has one) in that file.
 */
export function locate(
  bundle: string,
  loaded: LoadedBundle,
  extra: Problem[] = [],
  runtime?: Findings,
): BundleReport {
  const file = configFile(bundle);
  const problems = [
    ...place(file, { problems: [...loaded.problems, ...extra], text: loaded.text }),
    ...runtime ? place(file.replace(/config\.json$/, RUNTIME_JSON), runtime) : [],
  ];
  const errors = problems.filter((p) => p.severity === "error").length;
  return { bundle, file, problems, errors, warnings: problems.length - errors };
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function tally(r: { errors: number; warnings: number }): string {
  return `${count(r.errors, "error")}, ${count(r.warnings, "warning")}`;
}

/** `/pointer: message`, or the message alone for the document as a whole. */
function what(p: Problem): string {
  return p.pointer === "" ? p.message : `${p.pointer}: ${p.message}`;
}

function where(p: Located): string {
  return p.line === null ? p.file : `${p.file}:${p.line}:${p.column}`;
}

/**
 * The summary: for one bundle "config.json: valid" or "config.json: N errors, M warnings" (as
 * before there were many); for several, one such line per bundle, then the total.
 */
function summary(reports: BundleReport[]): string[] {
  if (reports.length === 1) {
    const [r] = reports;
    return [`config.json: ${r.problems.length === 0 ? "valid" : tally(r)}`];
  }
  const invalid = reports.filter((r) => r.errors > 0).length;
  const total = {
    errors: reports.reduce((n, r) => n + r.errors, 0),
    warnings: reports.reduce((n, r) => n + r.warnings, 0),
  };
  return [
    ...reports.map((r) => `${r.file}: ${r.problems.length === 0 ? "valid" : tally(r)}`),
    `${count(reports.length, "bundle")}: ${reports.length - invalid} valid, ${invalid} invalid; ${
      tally(total)
    }`,
  ];
}

function text(reports: BundleReport[]): string {
  const lines = reports.flatMap((r) =>
    r.problems.map((p) => `${where(p)}: ${p.severity === "warning" ? "warning: " : ""}${what(p)}`)
  );
  return [...lines, ...summary(reports)].join("\n");
}

function json(reports: BundleReport[]): string {
  const all = reports.flatMap((r) => r.problems);
  const entry = ({ pointer, message, file, line, column }: Located) => ({
    pointer,
    message,
    file,
    line,
    column,
    // runtime.json is LinuxKit's, not the runtime-spec's.
    spec: file.endsWith(RUNTIME_JSON) ? null : specSection(pointer),
  });
  return JSON.stringify({
    valid: reports.every((r) => r.errors === 0),
    errors: all.filter((p) => p.severity === "error").map(entry),
    warnings: all.filter((p) => p.severity === "warning").map(entry),
    bundles: reports.map((r) => ({
      bundle: r.bundle,
      file: r.file,
      valid: r.errors === 0,
      errors: r.errors,
      warnings: r.warnings,
    })),
  });
}

/** GitHub workflow commands: the value escapes %, CR and LF; properties also : and ,. */
const ghData = (s: string) =>
  s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
const ghProperty = (s: string) => ghData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");

/**
 * The path GitHub matches against the repository's files: relative to the workspace (the
 * checkout; else the current directory), with no "./" or "/" in front. An annotation on
 * "./a/config.json" or on an absolute path shows in the log but on no line of the diff.
 */
function annotationPath(file: string): string {
  const absolute = (p: string) => normalize(p.startsWith("/") ? p : `${Deno.cwd()}/${p}`);
  const base = absolute(Deno.env.get("GITHUB_WORKSPACE") || Deno.cwd());
  const path = absolute(file);
  const under = base === "/" ? "/" : `${base}/`;
  return path.startsWith(under) ? path.slice(under.length) : file;
}

function github(reports: BundleReport[]): string {
  const lines = reports.flatMap((r) =>
    r.problems.map((p) => {
      const props = [`file=${ghProperty(annotationPath(p.file))}`];
      if (p.line !== null) props.push(`line=${p.line}`, `col=${p.column}`);
      return `::${p.severity} ${props.join(",")}::${ghData(what(p))}`;
    })
  );
  return [...lines, ...summary(reports)].join("\n");
}

// Characters XML 1.0 cannot carry. With the u flag a surrogate matches only when it is alone
// (a valid pair is one code point).
// deno-lint-ignore no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/gu;

/** Text for XML 1.0: markup escaped, and characters it cannot carry written as \uXXXX. */
function xml(s: string): string {
  return s
    .replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;")
    .replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** JUnit XML: a test case per bundle, failing with its errors; warnings go to its output. */
function junit(reports: BundleReport[]): string {
  const failures = reports.filter((r) => r.errors > 0).length;
  const counts = `tests="${reports.length}" failures="${failures}" errors="0"`;
  const line = (p: Located) => xml(`${where(p)}: ${what(p)}`);
  const cases = reports.map((r) => {
    const errors = r.problems.filter((p) => p.severity === "error");
    const warnings = r.problems.filter((p) => p.severity === "warning");
    const body = [
      ...errors.length
        ? [
          `      <failure message="${xml(tally(r))}" type="invalid">${
            errors.map(line).join("\n")
          }</failure>`,
        ]
        : [],
      ...warnings.length
        ? [
          `      <system-out>${warnings.map((p) => `warning: ${line(p)}`).join("\n")}</system-out>`,
        ]
        : [],
    ];
    const open = `    <testcase classname="tsrun.validate" name="${xml(r.bundle)}" file="${
      xml(r.file)
    }"`;
    return body.length ? [`${open}>`, ...body, "    </testcase>"].join("\n") : `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tsrun validate" ${counts}>`,
    `  <testsuite name="tsrun validate" ${counts} skipped="0">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
  ].join("\n");
}

export const PRINTERS: Record<Format, (reports: BundleReport[]) => string> = {
  text,
  json,
  github,
  junit,
};
