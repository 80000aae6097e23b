// Shared by the specs tests: a valid base config in a real bundle, and assertions on problems.
import assert from "node:assert/strict";
import { type Problem, validateConfig } from "../../specs/config.ts";
import { IMPLEMENTED } from "../../specs/implemented.ts";

// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

/** A bundle directory with an empty rootfs/, removed when the test file's isolate ends. */
export const BUNDLE = Deno.makeTempDirSync({ prefix: "tsrun-specs-test-" });
Deno.mkdirSync(`${BUNDLE}/rootfs`);
globalThis.addEventListener("unload", () => Deno.removeSync(BUNDLE, { recursive: true }));

/** The smallest config with no problems at all: every test starts from it. */
export function baseConfig(): Json {
  return {
    ociVersion: "1.2.0",
    root: { path: "rootfs" },
    process: { cwd: "/", args: ["sh"], user: { uid: 0, gid: 0 } },
    hostname: "test",
    linux: {
      namespaces: [
        { type: "pid" },
        { type: "network" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
      ],
    },
  };
}

/** The problems of the base config after `change` edits it. */
export function problemsAfter(change: (c: Json) => void): Problem[] {
  const c = baseConfig();
  change(c);
  return validateConfig(c, BUNDLE).problems;
}

const show = (ps: Problem[]) =>
  ps.map((p) => `${p.severity} ${p.pointer}: ${p.message}`).join("\n");

/** Exactly these problems, as [severity, pointer, message pattern] in order. */
export function assertProblems(problems: Problem[], expected: Expected[]): void {
  assert.deepEqual(
    problems.map((p) => [p.severity, p.pointer]),
    expected.map(([s, p]) => [s, p]),
    `got:\n${show(problems)}`,
  );
  problems.forEach((p, i) => assert.match(p.message, expected[i][2]));
}

/** A passing case: the change leaves the config without any problem. */
export function assertClean(change: (c: Json) => void): void {
  const problems = problemsAfter(change);
  assert.equal(problems.length, 0, `expected no problems, got:\n${show(problems)}`);
}

/** A failing case: the change causes exactly this one problem. */
export function assertOnly(
  change: (c: Json) => void,
  severity: Problem["severity"],
  pointer: string,
  message: RegExp,
): void {
  assertProblems(problemsAfter(change), [[severity, pointer, message]]);
}

export type Expected = [Problem["severity"], string, RegExp];

/**
 * What the "not implemented yet" check adds for a field, read from IMPLEMENTED so the tests
 * keep passing as features land: `on` says whether the feature is implemented.
 */
export function unlessImplemented(on: boolean, expected: Expected): Expected[] {
  return on ? [] : [expected];
}

/** The warning for a field listed in IMPLEMENTED.notApplied. */
export function notApplied(ptr: string): Expected[] {
  return unlessImplemented(
    !(IMPLEMENTED.notApplied as readonly string[]).includes(ptr),
    ["warning", ptr, /not implemented by tsrun yet/],
  );
}
