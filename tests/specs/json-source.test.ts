// Positions of members and elements in JSON text, which every validate problem is placed at.
import assert from "node:assert/strict";
import { positionOf, scanJson } from "../../specs/json-source.ts";
import { specSection } from "../../specs/spec-refs.ts";

const TEXT = `{
  "ociVersion": "1.2.0",
  "process": {
    "args": [
      "sh",
      "-c"
    ],
    "env": [], "user": {"uid": 0}
  },
  "a/b~c": {"k\\"ey": [[1, {"deep": true}]]},
  "n": 18446744073709551616,
  "small": 12
}`;

const where = (ptr: string) => {
  const { line, column } = positionOf(scanJson(TEXT), ptr);
  return `${line}:${column}`;
};

/** Each pointer and where it must be placed. */
function assertPlaces(expected: [string, string][]): void {
  for (const [ptr, place] of expected) assert.equal(where(ptr), place, ptr);
}

Deno.test("members are placed at their key, array elements at their first character", () => {
  assertPlaces([
    ["", "1:1"],
    ["/ociVersion", "2:3"],
    ["/process", "3:3"],
    ["/process/args", "4:5"],
    ["/process/args/1", "6:7"],
    ["/process/env", "8:5"],
    ["/process/user/uid", "8:25"],
    ['/a~1b~0c/k"ey/0/1/deep', "10:28"],
    ["/small", "12:3"],
  ]);
});

Deno.test("a missing member is placed at the object that should hold it", () => {
  assertPlaces([
    ["/process/cwd", "3:3"],
    ["/process/user/gid", "8:16"],
    ["/process/args/7", "4:5"],
    ["/linux/namespaces/0/type", "1:1"],
  ]);
});

Deno.test("numbers of 16 digits or more, fractions and exponents keep their text", () => {
  assert.deepEqual([...scanJson(TEXT).longNumbers], [["/n", "18446744073709551616"]]);
  const odd = scanJson('[1.0000000000000001, -9223372036854775809, 1e400, "12345678901234567"]');
  assert.deepEqual([...odd.longNumbers], [
    ["/0", "1.0000000000000001"],
    ["/1", "-9223372036854775809"],
    ["/2", "1e400"],
  ]);
  // A repeated key: only the value JSON.parse keeps counts.
  const repeated = scanJson(
    '{"a": 18446744073709551616, "a": 1, "b": 1e3, "b": 18446744073709551616}',
  );
  assert.deepEqual([...repeated.longNumbers], [["/b", "18446744073709551616"]]);
});

Deno.test("every part of config.json cites the runtime-spec section that governs it", () => {
  const cases: [string, string][] = [
    ["", "bundle.md#containerFormat01"],
    ["/process/user/uid", "config.md#configPOSIXUser"],
    ["/process/cwd", "config.md#configProcess"],
    ["/processes", "config.md#valid-values"],
    ["/linux/resources/memory/limit", "config-linux.md#configLinuxMemory"],
    ["/linux/resources/foo", "config-linux.md#configLinuxControlGroups"],
    ["/linux/seccomp/syscalls/0", "config-linux.md#configLinuxSeccomp"],
  ];
  for (const [ptr, section] of cases) assert.equal(specSection(ptr), section, ptr);
});
