// Integers judged on their exact digits, and Go-style nulls read as absent.
import assert from "node:assert/strict";
import { parseProcess, validateConfig } from "../../specs/config.ts";
import { exactValue } from "../../specs/exact-integers.ts";
import { assertProblems, baseConfig, BUNDLE, type Json } from "./util.ts";

/** Validates the base config with `change` applied, its JSON text edited by `edit`. */
function fromText(change: (c: Json) => void, edit: (text: string) => string = (t) => t) {
  const c = baseConfig();
  change(c);
  const text = edit(JSON.stringify(c, null, 2));
  return validateConfig(JSON.parse(text), BUNDLE, text);
}

/** A config whose rlimit soft value is written as `digits`. */
const rlimit = (digits: string) =>
  fromText(
    (c) => c.process.rlimits = [{ type: "RLIMIT_CORE", soft: 1, hard: 0 }],
    (t) => t.replace('"hard": 0', `"hard": ${digits}`).replace('"soft": 1', `"soft": ${digits}`),
  );

Deno.test("exact values of JSON number tokens", () => {
  assert.equal(exactValue("18446744073709551616"), 2n ** 64n);
  assert.equal(exactValue("-9223372036854775808"), -(2n ** 63n));
  assert.equal(exactValue("1.8446744073709551615e19"), 2n ** 64n - 1n);
  assert.equal(exactValue("18446744073709551615.000"), 2n ** 64n - 1n);
  assert.equal(exactValue("1.0000000000000001"), "fraction");
  assert.equal(exactValue("12345678901234567e-1"), "fraction");
  assert.equal(exactValue("0.0000000000000000"), 0n);
  assert.equal(exactValue("1e99999999"), 10n ** 4096n);
});

Deno.test("uint64: 2^64-1 passes, 2^64 does not, though both parse to the same double", () => {
  assert.equal(JSON.parse("18446744073709551616"), JSON.parse("18446744073709551615"));
  assertProblems(rlimit("18446744073709551615").problems, []);
  assertProblems(rlimit("18446744073709551616").problems, [
    [
      "error",
      "/process/rlimits/0/soft",
      /uint64 \(0\.\.18446744073709551615\), got 18446744073709551616/,
    ],
    ["error", "/process/rlimits/0/hard", /got 18446744073709551616/],
  ]);
  assertProblems(rlimit("1.8446744073709551616e19").problems, [
    ["error", "/process/rlimits/0/soft", /uint64/],
    ["error", "/process/rlimits/0/hard", /uint64/],
  ]);
});

Deno.test("int64 bounds and integers that a double would round", () => {
  const memory = (digits: string) =>
    fromText(
      (c) => c.linux.resources = { memory: { limit: 1 } },
      (t) => t.replace('"limit": 1', `"limit": ${digits}`),
    ).problems;
  assertProblems(memory("9223372036854775807"), []);
  assertProblems(memory("9223372036854775808"), [
    ["error", "/linux/resources/memory/limit", /int64 .*got 9223372036854775808/],
  ]);
  assertProblems(memory("-9223372036854775809"), [
    ["error", "/linux/resources/memory/limit", /int64/],
  ]);
  // 1.0000000000000001 parses to exactly 1.
  const uid = fromText(() => {}, (t) => t.replace('"uid": 0', '"uid": 1.0000000000000001'));
  assertProblems(uid.problems, [["error", "/process/user/uid", /got 1\.0000000000000001/]]);
  // Long numbers where the schema has no integer are not judged.
  const note = fromText(
    (c) => c.annotations = { n: "x" },
    (t) => t.replace('"x"', '"12345678901234567890"'),
  );
  assertProblems(note.problems, []);
});

Deno.test("Go-style nulls in optional members are absent, with a warning", () => {
  const r = fromText((c) => {
    c.process.capabilities = null;
    c.process.rlimits = null;
    c.mounts = [{ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: null }];
    c.linux.resources = { memory: null, devices: [{ allow: false, access: "rwm", major: null }] };
    c.linux.seccomp = null;
  });
  assertProblems(r.problems, [
    ["warning", "/process/capabilities", /^null, treated as absent$/],
    ["warning", "/process/rlimits", /null/],
    ["warning", "/linux/resources/memory", /null/],
    ["warning", "/linux/resources/devices/0/major", /null/],
    ["warning", "/linux/seccomp", /null/],
    ["warning", "/mounts/0/options", /null/],
  ]);
  assert.equal(r.config?.process?.capabilities, undefined);
  assert.ok(!("seccomp" in r.config!.linux!));
  assert.deepEqual(r.config?.linux?.resources?.devices, [{ allow: false, access: "rwm" }]);
});

Deno.test("null in a required member or an array element is still an error", () => {
  assertProblems(fromText((c) => c.process.cwd = null).problems, [
    ["error", "/process/cwd", /expected string, got null/],
  ]);
  assertProblems(fromText((c) => c.process.args = ["sh", null]).problems, [
    ["error", "/process/args/1", /expected string, got null/],
  ]);
});

Deno.test("exec --process documents: nulls absent, exact integers", () => {
  const text = '{"cwd": "/", "args": ["sh"], "capabilities": null, "user": {"uid": 4294967296}}';
  const { value, problems } = parseProcess(JSON.parse(text), text);
  assert.equal(value, undefined);
  assertProblems(problems, [
    ["error", "/user/uid", /uint32/],
    ["warning", "/capabilities", /null/],
  ]);
  const long =
    '{"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}, "rlimits": [{"type": "RLIMIT_CORE", "soft": 18446744073709551616, "hard": 18446744073709551615}]}';
  assertProblems(parseProcess(JSON.parse(long), long).problems, [
    ["error", "/rlimits/0/soft", /uint64/],
  ]);
});

Deno.test("integers written with a fraction or an exponent: a warning, runc refuses them", () => {
  const oom = (written: string) =>
    fromText(
      (c) => c.process.oomScoreAdj = 7,
      (t) => t.replace('"oomScoreAdj": 7', `"oomScoreAdj": ${written}`),
    )
      .problems;
  assertProblems(oom("1e2"), [[
    "warning",
    "/process/oomScoreAdj",
    /^runc refuses 1e2 for an integer: write 100$/,
  ]]);
  assertProblems(oom("100.0"), [["warning", "/process/oomScoreAdj", /write 100$/]]);
  assertProblems(oom("-5E+1"), [["warning", "/process/oomScoreAdj", /write -50$/]]);
  assertProblems(oom("100"), []);
});

Deno.test("a repeated key: only the value JSON.parse keeps is judged", () => {
  const r = fromText(
    (c) => c.process.rlimits = [{ type: "RLIMIT_CORE", soft: 1, hard: 1 }],
    (t) => t.replace('"soft": 1', '"soft": 18446744073709551616, "soft": 1'),
  );
  assertProblems(r.problems, []);
});
