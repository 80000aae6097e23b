// loadBundle never throws: unreadable or malformed files are problems about the whole file.
import assert from "node:assert/strict";
import { formatProblem, hasErrors, loadBundle } from "../../specs/config.ts";
import { MAX_JSON_BYTES } from "../../specs/json-file.ts";
import { baseConfig } from "./util.ts";

function bundle(setup: (dir: string) => void): string {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-bundle-test-" });
  Deno.mkdirSync(`${dir}/rootfs`);
  setup(dir);
  return dir;
}

function fileProblem(dir: string): string {
  try {
    const { config, problems } = loadBundle(dir);
    assert.equal(config, undefined);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(problems[0].pointer, "");
    assert.equal(problems[0].severity, "error");
    return problems[0].message;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const write = (text: string | Uint8Array) => (dir: string) =>
  typeof text === "string"
    ? Deno.writeTextFileSync(`${dir}/config.json`, text)
    : Deno.writeFileSync(`${dir}/config.json`, text);

Deno.test("a valid bundle loads with its typed config", () => {
  const dir = bundle(write(JSON.stringify(baseConfig())));
  try {
    const { config, problems } = loadBundle(dir);
    assert.deepEqual(problems, []);
    assert.equal(config?.process?.args?.[0], "sh");
    assert.equal(config?.linux?.namespaces?.[0].type, "pid");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("unusable files", () => {
  assert.match(fileProblem(bundle(() => {})), /config\.json does not exist$/);
  assert.match(fileProblem(bundle((d) => Deno.mkdirSync(`${d}/config.json`))), /is a directory/);
  assert.match(fileProblem(bundle(write(""))), /^empty file/);
  assert.match(fileProblem(bundle(write(" \n\t"))), /^empty file/);
  assert.match(fileProblem(bundle(write("null"))), /^expected a JSON object, got null$/);
  assert.match(fileProblem(bundle(write("[1]"))), /got an array$/);
  assert.match(fileProblem(bundle(write('"s"'))), /got string "s"$/);
  assert.match(fileProblem(bundle(write('{"ociVersion": '))), /^not valid JSON: /);
  const fifo = fileProblem(bundle((d) => {
    new Deno.Command("mkfifo", { args: [`${d}/config.json`] }).outputSync();
  }));
  assert.match(fifo, /not a regular file/);
});

Deno.test("a missing bundle directory", () => {
  const { problems } = loadBundle("/nonexistent-bundle-dir");
  assert.deepEqual(problems.map((p) => formatProblem(p)), [
    "config.json: /nonexistent-bundle-dir/config.json does not exist",
  ]);
});

Deno.test("10 MB of binary garbage: one short, printable problem", () => {
  const garbage = new Uint8Array(10 * 1024 * 1024);
  for (let i = 0; i < garbage.length; i += 65536) {
    crypto.getRandomValues(garbage.subarray(i, i + 65536));
  }
  garbage[0] = 0x01; // never valid JSON, whatever the random bytes are
  const msg = fileProblem(bundle(write(garbage)));
  assert.match(msg, /^not valid JSON: /);
  assert.ok(msg.length < 300, msg);
  assert.ok(Array.from(msg).every((ch) => ch.charCodeAt(0) >= 0x20), msg);
});

Deno.test("files over the size limit are refused without being read", () => {
  const msg = fileProblem(bundle((d) => {
    using f = Deno.openSync(`${d}/config.json`, { write: true, create: true });
    f.truncateSync(MAX_JSON_BYTES + 1);
  }));
  assert.match(msg, /too large/);
});

Deno.test("hasErrors and formatProblem", () => {
  const e = { pointer: "/process/cwd", message: "must be absolute", severity: "error" } as const;
  const w = { pointer: "/hooks/prestart", message: "deprecated", severity: "warning" } as const;
  assert.equal(formatProblem(e), "/process/cwd: must be absolute");
  assert.equal(formatProblem(w), "warning: /hooks/prestart: deprecated");
  assert.equal(
    formatProblem({ ...e, pointer: "" }, "process.json"),
    "process.json: must be absolute",
  );
  assert.ok(hasErrors([w, e]));
  assert.ok(!hasErrors([w]));
});
