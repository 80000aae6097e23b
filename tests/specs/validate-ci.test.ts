// `tsrun validate` as CI runs it: many bundles per call, --recursive, the four formats, exit
// codes, and --host. Positions are checked against where the text puts each member.
import assert from "node:assert/strict";
import { command } from "../helpers/command.ts";
import { hasCommand, skipUnless } from "../helpers/skip.ts";
import { tsrun } from "../helpers/tsrun.ts";
import { baseConfig, type Json } from "./util.ts";

/** A temporary tree; `bundles` maps a relative directory to its config (written pretty). */
function tree(bundles: Record<string, Json | string>): string {
  const top = Deno.makeTempDirSync({ prefix: "tsrun-validate-ci-" });
  for (const [dir, config] of Object.entries(bundles)) {
    Deno.mkdirSync(`${top}/${dir}/rootfs`, { recursive: true });
    const text = typeof config === "string" ? config : JSON.stringify(config, null, 2);
    Deno.writeTextFileSync(`${top}/${dir}/config.json`, text);
  }
  return top;
}

async function inTree<T>(bundles: Record<string, Json | string>, fn: (top: string) => Promise<T>) {
  const top = tree(bundles);
  try {
    return await fn(top);
  } finally {
    Deno.removeSync(top, { recursive: true });
  }
}

/** "LINE:COLUMN" of the first `needle` in the config.json of `dir`. */
function at(file: string, needle: string): [number, number] {
  const text = Deno.readTextFileSync(file);
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  const before = text.slice(0, i).split("\n");
  return [before.length, before.at(-1)!.length + 1];
}

/** A config with a nested error and a warning on an array element's member. */
function broken(): Json {
  const c = baseConfig();
  c.linux.resources = { memory: { limit: 1 << 30, swappiness: "high" } };
  c.linux.namespaces[1].paht = "/proc/1/ns/net";
  return c;
}

Deno.test("many bundles: a line per problem, a summary per bundle, a total; exit 1 if any is invalid", async () => {
  await inTree({ good: baseConfig(), bad: broken() }, async (top) => {
    const r = await tsrun(["validate", "-b", `${top}/good`, "--bundle", `${top}/bad`]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, "");
    const bad = `${top}/bad/config.json`;
    const [l1, c1] = at(bad, '"swappiness"');
    const [l2, c2] = at(bad, '"paht"');
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      `${bad}:${l1}:${c1}: /linux/resources/memory/swappiness: expected number, got string "high"`,
      `${bad}:${l2}:${c2}: warning: /linux/namespaces/1/paht: unknown field, ignored (did you mean "path"?)`,
      `${top}/good/config.json: valid`,
      `${bad}: 1 error, 1 warning`,
      "2 bundles: 1 valid, 1 invalid; 1 error, 1 warning",
    ]);
    const ok = await tsrun(["validate", "-b", `${top}/good`, "-b", `${top}/good/`]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^2 bundles: 2 valid, 0 invalid; 0 errors, 0 warnings$/m);
  });
});

Deno.test("--recursive finds every bundle below DIR, not inside a bundle, not through symlinks", async () => {
  const config = baseConfig();
  await inTree(
    { "a": config, "x/b": config, "x/y/c": broken(), "a/rootfs/etc": config },
    async (top) => {
      Deno.mkdirSync(`${top}/empty`);
      Deno.symlinkSync(top, `${top}/x/loop`);
      const r = await tsrun(["validate", "--recursive", top, "--format", "json"]);
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(
        out.bundles.map((b: Json) => [b.bundle, b.valid]),
        [[`${top}/a`, true], [`${top}/x/b`, true], [`${top}/x/y/c`, false]],
      );
      assert.equal(out.valid, false);
      assert.deepEqual(out.errors.map((e: Json) => [e.file, e.pointer]), [
        [`${top}/x/y/c/config.json`, "/linux/resources/memory/swappiness"],
      ]);
      const [line, column] = at(`${top}/x/y/c/config.json`, '"swappiness"');
      assert.deepEqual([out.errors[0].line, out.errors[0].column], [line, column]);
      // Relative paths stay relative, as annotations need them; --bundle ones come first.
      const rel = await tsrun(["validate", "-r", "x", "-b", "a"], { cwd: top });
      assert.deepEqual(rel.stdout.trimEnd().split("\n").slice(-4), [
        "a/config.json: valid",
        "x/b/config.json: valid",
        "x/y/c/config.json: 1 error, 1 warning",
        "3 bundles: 2 valid, 1 invalid; 1 error, 1 warning",
      ]);
    },
  );
});

Deno.test("--recursive without bundles, or of no directory, is a one-line error", async () => {
  const empty = Deno.makeTempDirSync({ prefix: "tsrun-validate-ci-" });
  try {
    const r = await tsrun(["validate", "--recursive", empty]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `tsrun: --recursive ${empty}: no bundle (config.json) below it\n`);
    const gone = await tsrun(["validate", "--recursive", `${empty}/gone`]);
    assert.equal(gone.stderr, `tsrun: --recursive ${empty}/gone: no such directory\n`);
    assert.equal(gone.code, 1);
  } finally {
    Deno.removeSync(empty);
  }
});

Deno.test("--format github: workflow commands on the problems' lines and columns", async () => {
  await inTree({ "a,b": broken(), good: baseConfig() }, async (top) => {
    const r = await tsrun(["validate", "--format", "github", "-r", "."], { cwd: top });
    assert.equal(r.code, 1, r.stderr);
    const [l1, c1] = at(`${top}/a,b/config.json`, '"swappiness"');
    const [l2, c2] = at(`${top}/a,b/config.json`, '"paht"');
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      // "," and ":" are escaped in properties, as the workflow command syntax needs; no "./"
      // in front, which would keep the annotation off the pull request's diff.
      `::error file=a%2Cb/config.json,line=${l1},col=${c1}::/linux/resources/memory/swappiness: expected number, got string "high"`,
      `::warning file=a%2Cb/config.json,line=${l2},col=${c2}::/linux/namespaces/1/paht: unknown field, ignored (did you mean "path"?)`,
      "./a,b/config.json: 1 error, 1 warning",
      "./good/config.json: valid",
      "2 bundles: 1 valid, 1 invalid; 1 error, 1 warning",
    ]);
  });
  // A file JSON.parse rejects is placed where it stopped; a valid bundle prints no command.
  await inTree({ bad: '{\n  "ociVersion": "1.2.0",\n}' }, async (top) => {
    const r = await tsrun(["validate", "--format=github", "-b", `${top}/bad`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      new RegExp(`^::error file=${top}/bad/config.json,line=3,col=1::not valid JSON: `),
    );
    // Paths inside the workspace (GITHUB_WORKSPACE, else the current directory) are given
    // relative to it, as GitHub matches them against the repository's files.
    const inWorkspace = await tsrun(["validate", "--format=github", "-b", `${top}/bad/`], {
      env: { GITHUB_WORKSPACE: top },
    });
    assert.match(inWorkspace.stdout, /^::error file=bad\/config\.json,line=3,col=1::/);
    const fromCwd = await tsrun(["validate", "--format=github", "-b", `${top}/bad`], {
      cwd: top,
      env: { GITHUB_WORKSPACE: "" },
    });
    assert.match(fromCwd.stdout, /^::error file=bad\/config\.json,line=3,col=1::/);
  });
});

Deno.test(
  "--format junit: XML that parses, a test case per bundle, a failure per invalid one",
  { ignore: skipUnless(hasCommand("xmllint"), "no xmllint (apt-get install libxml2-utils)") },
  async () => {
    const odd = baseConfig();
    odd.process.cwd = "rel\u0001<&>\"'";
    await inTree({ a: broken(), b: baseConfig(), c: odd }, async (top) => {
      const r = await tsrun(["validate", "--format", "junit", "-r", top]);
      assert.equal(r.code, 1, r.stderr);
      const file = `${top}/report.xml`;
      Deno.writeTextFileSync(file, r.stdout);
      const lint = await command(["xmllint", "--noout", file]);
      assert.equal(lint.code, 0, lint.stderr);
      const q = async (xpath: string) =>
        (await command(["xmllint", "--xpath", xpath, file])).stdout.trim();
      assert.equal(await q("string(/testsuites/@tests)"), "3");
      assert.equal(await q("string(/testsuites/@failures)"), "2");
      assert.equal(await q("count(//testcase)"), "3");
      assert.equal(await q(`count(//testcase[@name="${top}/b"]/*)`), "0");
      const [line, column] = at(`${top}/a/config.json`, '"swappiness"');
      assert.equal(
        await q(`string(//testcase[@name="${top}/a"]/failure)`),
        `${top}/a/config.json:${line}:${column}: /linux/resources/memory/swappiness: expected number, got string "high"`,
      );
      assert.equal(
        await q(`string(//testcase[@name="${top}/a"]/failure/@message)`),
        "1 error, 1 warning",
      );
      assert.match(await q(`string(//testcase[@name="${top}/a"]/system-out)`), /warning: .*paht/);
      // A control character cannot be in XML 1.0: it is written out.
      assert.match(
        await q(`string(//testcase[@name="${top}/c"]/failure)`),
        /cwd must be absolute, got "rel\\u0001<&>"'"/,
      );
    });
  },
);

Deno.test("--json is --format json; a contradicting or unknown format is a usage error", async () => {
  await inTree({ a: baseConfig() }, async (top) => {
    const json = await tsrun(["validate", "--json", "-b", `${top}/a`]);
    const format = await tsrun(["validate", "--format", "json", "-b", `${top}/a`]);
    assert.equal(json.stdout, format.stdout);
    assert.equal(JSON.parse(json.stdout).valid, true);
    const both = await tsrun(["validate", "--json", "--format", "junit", "-b", `${top}/a`]);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, "tsrun: --json contradicts --format junit\n");
    const bad = await tsrun(["validate", "--format", "xml", "-b", `${top}/a`]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'tsrun: invalid format "xml": expected one of text, json, github, junit\n',
    );
  });
});

Deno.test("--host: what this machine lacks, as warnings naming the pointer", async () => {
  const c = baseConfig();
  // No architecture has 3 MB huge pages; PPC64 programs never run on this machine's arches.
  c.linux.resources = { hugepageLimits: [{ pageSize: "3MB", limit: 2097152 }] };
  c.linux.seccomp = {
    defaultAction: "SCMP_ACT_ALLOW",
    architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_PPC64"],
  };
  // A sysctl no kernel has, and one every kernel with IPv4 has (written with slashes).
  c.linux.sysctl = { "net.ipv4.tsrun_no_such_knob": "1", "net/ipv4/ip_forward": "0" };
  await inTree({ a: c }, async (top) => {
    const plain = await tsrun(["validate", "--json", "-b", `${top}/a`]);
    const host = await tsrun(["validate", "--json", "--host", "-b", `${top}/a`]);
    assert.equal(host.code, plain.code, "host findings are warnings");
    const key = (w: Json) => `${w.pointer}: ${w.message}`;
    const before = new Set(JSON.parse(plain.stdout).warnings.map(key));
    const added = JSON.parse(host.stdout).warnings.filter((w: Json) => !before.has(key(w)));
    const pointers = added.map((w: Json) => w.pointer);
    assert.ok(pointers.includes("/linux/resources/hugepageLimits/0"), host.stdout);
    const foreign = Deno.build.arch === "x86_64" ? 1 : 0;
    assert.deepEqual(
      pointers.filter((p: string) => p.startsWith("/linux/seccomp/architectures/")),
      [`/linux/seccomp/architectures/${foreign}`, "/linux/seccomp/architectures/2"],
    );
    assert.deepEqual(pointers.filter((p: string) => p.startsWith("/linux/sysctl/")), [
      "/linux/sysctl/net.ipv4.tsrun_no_such_knob",
    ]);
    // Every namespace the base config asks for exists on any kernel that runs these tests.
    assert.ok(!pointers.some((p: string) => p.startsWith("/linux/namespaces")), host.stdout);
    const [line] = at(`${top}/a/config.json`, '"hugepageLimits"');
    assert.equal(added.find((w: Json) => w.pointer.includes("hugepage")).line, line + 1);
  });
});
