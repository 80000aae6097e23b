// Positions of members and elements in JSON text, which every validate problem is placed at.
import assert from "node:assert/strict";
import { positionOf, scanJson } from "../../specs/json-source.ts";

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

Deno.test("members are placed at their key, array elements at their first character", () => {
  assert.equal(where(""), "1:1");
  assert.equal(where("/ociVersion"), "2:3");
  assert.equal(where("/process"), "3:3");
  assert.equal(where("/process/args"), "4:5");
  assert.equal(where("/process/args/1"), "6:7");
  assert.equal(where("/process/env"), "8:5");
  assert.equal(where("/process/user/uid"), "8:25");
  assert.equal(where('/a~1b~0c/k"ey/0/1/deep'), "10:28");
  assert.equal(where("/small"), "12:3");
});

Deno.test("a missing member is placed at the object that should hold it", () => {
  assert.equal(where("/process/cwd"), "3:3");
  assert.equal(where("/process/user/gid"), "8:16");
  assert.equal(where("/process/args/7"), "4:5");
  assert.equal(where("/linux/namespaces/0/type"), "1:1");
});

Deno.test("only numbers of 16 digits or more keep their text", () => {
  assert.deepEqual([...scanJson(TEXT).longNumbers], [["/n", "18446744073709551616"]]);
  const odd = scanJson('[1.0000000000000001, -9223372036854775809, 1e400, "12345678901234567"]');
  assert.deepEqual([...odd.longNumbers], [
    ["/0", "1.0000000000000001"],
    ["/1", "-9223372036854775809"],
  ]);
});

Deno.test("every part of config.json cites the runtime-spec section that governs it", async () => {
  const { specSection } = await import("../../specs/spec-refs.ts");
  assert.equal(specSection(""), "bundle.md#containerFormat01");
  assert.equal(specSection("/process/user/uid"), "config.md#configPOSIXUser");
  assert.equal(specSection("/process/cwd"), "config.md#configProcess");
  assert.equal(specSection("/processes"), "config.md#valid-values");
  assert.equal(specSection("/linux/resources/memory/limit"), "config-linux.md#configLinuxMemory");
  assert.equal(specSection("/linux/resources/foo"), "config-linux.md#configLinuxControlGroups");
  assert.match(specSection("/linux/seccomp/syscalls/0"), /^config-linux\.md#configLinuxSeccomp$/);
});
