// `tsrun spec`, `validate` and `features` end to end, through the CLI as users run them.
import assert from "node:assert/strict";
import process from "node:process";
import { FeaturesSchema } from "../../specs/config.ts";
import { tsrun } from "../helpers/tsrun.ts";
import { baseConfig } from "./util.ts";

function tempBundle(config?: string | Uint8Array): string {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-cli-test-" });
  Deno.mkdirSync(`${dir}/rootfs`);
  if (typeof config === "string") Deno.writeTextFileSync(`${dir}/config.json`, config);
  else if (config) Deno.writeFileSync(`${dir}/config.json`, config);
  return dir;
}

async function inBundle<T>(
  config: string | Uint8Array | undefined,
  fn: (dir: string) => Promise<T>,
) {
  const dir = tempBundle(config);
  try {
    return await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** "LINE:COLUMN" (1-based) of the first `needle` in `text`: where a problem must be placed. */
function at(text: string, needle: string): string {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  const before = text.slice(0, i).split("\n");
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

/** No JavaScript stack trace leaked to the user. */
function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at .*[:(]/m, text);
  assert.doesNotMatch(text, /Error:|Uncaught/, text);
}

Deno.test("spec writes a config that validates", async () => {
  await inBundle(undefined, async (dir) => {
    const spec = await tsrun(["spec", "--bundle", dir]);
    assert.equal(spec.code, 0, spec.stderr);
    const config = JSON.parse(Deno.readTextFileSync(`${dir}/config.json`));
    assert.deepEqual(config.process.args, ["sh"]);
    assert.equal(config.process.terminal, true);
    assert.deepEqual(config.process.rlimits, [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }]);
    const types = config.linux.namespaces.map((ns: { type: string }) => ns.type);
    assert.deepEqual(types.slice(0, 5), ["pid", "network", "ipc", "uts", "mount"]);
    const v = await tsrun(["validate", "--bundle", dir]);
    assert.equal(v.stdout, "config.json: valid\n");
    assert.equal(v.code, 0);
  });
});

Deno.test("spec --rootless maps the caller into a user namespace and validates", async () => {
  await inBundle(undefined, async (dir) => {
    assert.equal((await tsrun(["spec", "--rootless", "-b", dir])).code, 0);
    const config = JSON.parse(Deno.readTextFileSync(`${dir}/config.json`));
    const types = config.linux.namespaces.map((ns: { type: string }) => ns.type);
    assert.ok(types.includes("user") && !types.includes("network"), types.join());
    assert.deepEqual(config.linux.uidMappings, [{
      containerID: 0,
      hostID: process.geteuid!(),
      size: 1,
    }]);
    assert.equal(config.linux.resources, undefined);
    const sys = config.mounts.find((m: { destination: string }) => m.destination === "/sys");
    assert.ok(sys.options.includes("rbind"));
    const v = await tsrun(["validate", "-b", dir]);
    assert.equal(v.stdout, "config.json: valid\n");
  });
});

Deno.test("spec refuses to overwrite config.json", async () => {
  await inBundle("{}", async (dir) => {
    const r = await tsrun(["spec", "--bundle", dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `tsrun: ${dir}/config.json already exists: remove it first\n`);
    assert.equal(Deno.readTextFileSync(`${dir}/config.json`), "{}");
  });
  const r = await tsrun(["spec", "--bundle", "/nonexistent-dir"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "tsrun: bundle directory /nonexistent-dir does not exist\n");
});

Deno.test("validate prints every problem, one line each, then a summary", async () => {
  const c = baseConfig();
  c.ociVersion = 1;
  c.process.cwd = "relative";
  c.linux.namespaces[2].type = "pidd";
  c.hooks = { prestart: [{ path: "/bin/true" }] };
  const text = JSON.stringify(c, null, 2);
  await inBundle(text, async (dir) => {
    const r = await tsrun(["validate", "--bundle", dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "");
    const f = `${dir}/config.json`;
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      `${f}:${at(text, '"ociVersion"')}: /ociVersion: expected string, got number 1`,
      `${f}:${
        at(text, '"type": "pidd"')
      }: /linux/namespaces/2/type: unknown namespace "pidd", expected one of cgroup, ipc, mount, network, pid, time, user, uts`,
      // Structural errors do not hide the semantic checks of the parts that parsed.
      `${f}:${at(text, '"cwd"')}: /process/cwd: cwd must be absolute, got "relative"`,
      `${f}:${
        at(text, '"prestart"')
      }: warning: /hooks/prestart: deprecated: use createRuntime, createContainer or startContainer`,
      "config.json: 3 errors, 1 warning",
    ]);
  });
});

Deno.test("validate: semantic errors of a structurally valid config", async () => {
  const c = baseConfig();
  c.process.cwd = "relative";
  c.process.env = ["NOVALUE"];
  const text = JSON.stringify(c, null, 2);
  await inBundle(text, async (dir) => {
    const r = await tsrun(["validate", "--bundle", dir]);
    assert.equal(r.code, 1);
    const f = `${dir}/config.json`;
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      `${f}:${at(text, '"cwd"')}: /process/cwd: cwd must be absolute, got "relative"`,
      // An array element is placed at the element itself.
      `${f}:${
        at(text, '"NOVALUE"')
      }: warning: /process/env/0: "NOVALUE" is not KEY=VALUE (runc refuses it)`,
      "config.json: 1 error, 1 warning",
    ]);
  });
});

Deno.test("validate: warnings alone exit 0", async () => {
  const c = baseConfig();
  c.process.terminl = true;
  const text = JSON.stringify(c, null, 2);
  await inBundle(text, async (dir) => {
    const r = await tsrun(["validate", "--bundle", dir]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      `${dir}/config.json:${
        at(text, '"terminl"')
      }: warning: /process/terminl: unknown field, ignored (did you mean "terminal"?)`,
      "config.json: 0 errors, 1 warning",
    ]);
  });
});

Deno.test("validate --json", async () => {
  const c = baseConfig();
  c.process.cwd = "relative";
  c.process.cwdd = "/";
  const text = JSON.stringify(c);
  const column = (needle: string) => Number(at(text, needle).split(":")[1]);
  await inBundle(text, async (dir) => {
    const r = await tsrun(["validate", "--json", "--bundle", dir]);
    assert.equal(r.code, 1);
    const file = `${dir}/config.json`;
    assert.deepEqual(JSON.parse(r.stdout), {
      valid: false,
      errors: [{
        pointer: "/process/cwd",
        message: 'cwd must be absolute, got "relative"',
        file,
        line: 1,
        column: column('"cwd"'),
        spec: "config.md#configProcess",
      }],
      warnings: [{
        pointer: "/process/cwdd",
        message: 'unknown field, ignored (did you mean "cwd"?)',
        file,
        line: 1,
        column: column('"cwdd"'),
        spec: "config.md#configProcess",
      }],
      bundles: [{ bundle: dir, file, valid: false, errors: 1, warnings: 1 }],
    });
  });
  await inBundle(JSON.stringify(baseConfig()), async (dir) => {
    const r = await tsrun(["validate", "--json", "--bundle", dir]);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      valid: true,
      errors: [],
      warnings: [],
      bundles: [{ bundle: dir, file: `${dir}/config.json`, valid: true, errors: 0, warnings: 0 }],
    });
  });
});

Deno.test("validate: broken files exit 1 with one line, never a stack trace", async () => {
  const garbage = new Uint8Array(10 * 1024 * 1024);
  for (let i = 0; i < garbage.length; i += 65536) {
    crypto.getRandomValues(garbage.subarray(i, i + 65536));
  }
  garbage[0] = 0x01;
  const cases: [string, string | Uint8Array | undefined, RegExp][] = [
    ["not JSON", "{oops", /^\/.*\/config\.json:1:2: not valid JSON: /],
    ["empty", "", /^\/.*\/config\.json: empty file/],
    ["null", "null", /^\/.*\/config\.json: expected a JSON object, got null$/],
    ["array", "[]", /^\/.*\/config\.json: expected a JSON object, got an array$/],
    ["missing", undefined, /^\/.*\/config\.json: .*\/config\.json does not exist$/],
    ["garbage", garbage, /^\/.*\/config\.json(:\d+:\d+)?: not valid JSON: /],
  ];
  for (const [name, content, first] of cases) {
    await inBundle(content, async (dir) => {
      for (const json of [false, true]) {
        const r = await tsrun(["validate", "--bundle", dir, ...(json ? ["--json"] : [])]);
        assert.equal(r.code, 1, name);
        assert.equal(r.stderr, "", name);
        assertNoStack(r.stdout);
        if (json) {
          const out = JSON.parse(r.stdout);
          assert.equal(out.valid, false, name);
          assert.equal(out.errors[0].pointer, "", name);
        } else {
          const lines = r.stdout.trimEnd().split("\n");
          assert.equal(lines.length, 2, name);
          assert.match(lines[0], first, name);
          assert.equal(lines[1], "config.json: 1 error, 0 warnings", name);
        }
      }
    });
  }
  await inBundle(undefined, async (dir) => {
    Deno.mkdirSync(`${dir}/config.json`);
    const r = await tsrun(["validate", "--bundle", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /config\.json is a directory, not a file/);
  });
});

Deno.test("features: the features JSON of what tsrun implements", async () => {
  const r = await tsrun(["features"]);
  assert.equal(r.code, 0, r.stderr);
  const f = JSON.parse(r.stdout);
  assert.ok(FeaturesSchema.safeParse(f).success);
  assert.equal(f.ociVersionMin, "1.0.0");
  assert.equal(f.ociVersionMax, "1.2.0");
  assert.deepEqual(f.hooks, [
    "prestart",
    "createRuntime",
    "createContainer",
    "startContainer",
    "poststart",
    "poststop",
  ]);
  assert.deepEqual(
    [...f.linux.namespaces].sort(),
    ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"],
  );
  assert.equal(f.linux.capabilities.length, 41);
  assert.ok(f.linux.capabilities.includes("CAP_CHECKPOINT_RESTORE"));
  assert.ok(f.mountOptions.includes("rbind") && f.mountOptions.includes("rro"));
  assert.equal(f.linux.cgroup.systemd, true);
  assert.equal(f.linux.seccomp.enabled, true);
  assert.ok(f.linux.seccomp.actions.includes("SCMP_ACT_KILL_PROCESS"));
  assert.ok(f.linux.seccomp.actions.includes("SCMP_ACT_NOTIFY"));
  assert.ok(f.linux.seccomp.supportedFlags.includes("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  assert.deepEqual(
    [...f.linux.seccomp.archs].sort(),
    ["SCMP_ARCH_AARCH64", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"],
  );
  assert.equal(f.linux.apparmor.enabled, true, "supported; create checks the host has it");
  assert.ok(Object.keys(f.annotations).every((k) => !k.startsWith("org.opencontainers.runc")));
});
