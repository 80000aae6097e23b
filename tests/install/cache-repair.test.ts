// An install that repairs itself: a module cache that lost a package's registry.json (seen
// after interrupted fresh installs) makes tsrun from source answer with one line naming the
// command that repairs it, --log still gets the error line, and that command (run by the
// README's test and demo commands) fetches the package again. Each test works on a copy of the
// cache: the shared .tools/deno-dir is never touched.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT, requireRoot, skipUnless } from "../helpers/mod.ts";
import { command } from "../helpers/command.ts";

const CACHE = join(REPO_ROOT, ".tools", "deno-dir");
const DENO = join(REPO_ROOT, "scripts", "deno");
/** From source whatever TSRUN_BIN says: the compiled binary carries its modules. */
const TSRUN = join(REPO_ROOT, "scripts", "tsrun");
const PACKAGES = join("npm", "registry.npmjs.org");

function cached(): boolean {
  try {
    return Deno.statSync(join(CACHE, PACKAGES, "zod", "registry.json")).isFile;
  } catch {
    return false;
  }
}

async function registryReachable(): Promise<boolean> {
  try {
    const r = await fetch("https://registry.npmjs.org/zod", {
      method: "HEAD",
      signal: AbortSignal.timeout(5000),
    });
    return r.ok;
  } catch {
    return false;
  }
}

const ignore = skipUnless(
  cached(),
  "no module cache in .tools/deno-dir (run scripts/deno install)",
);
const ignoreFetch = ignore || skipUnless(await registryReachable(), "the npm registry");

/** A temporary directory with a config.json for validate to load (zod) and report on. */
async function tempRoot(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "tsrun-root-" });
  await Deno.writeTextFile(join(root, "config.json"), '{"ociVersion":"1.0.2"}');
  return root;
}

/** A copy of the cache's npm packages (and Deno's downloads) without the named registry.json. */
async function brokenCache(...lost: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-deno-dir-" });
  for (const sub of ["npm", "dl"]) {
    const from = join(CACHE, sub);
    const st = await Deno.stat(from).catch(() => undefined);
    if (!st) continue;
    const cp = await command(["cp", "-a", from, join(dir, sub)]);
    assertEquals(cp.code, 0, cp.stderr);
  }
  for (const pkg of lost) await Deno.remove(join(dir, PACKAGES, pkg, "registry.json"));
  return dir;
}

const missing = (pkg: string) =>
  `the npm package ${pkg} is missing from Deno's module cache: ` +
  `run ${DENO} install to repair the install`;

Deno.test({
  name: "a lost registry.json: one line naming the repair, and --log still written",
  ignore,
}, async () => {
  const dir = await brokenCache("zod", "@logtape/logtape");
  const root = await tempRoot();
  try {
    const env = { DENO_DIR: dir };
    const v = await command([TSRUN, "validate", "-b", root], { env });
    assertEquals([v.code, v.stdout, v.stderr], [1, "", `tsrun: ${missing("zod")}\n`]);
    const log = join(root, "log.json");
    const s = await command(
      [TSRUN, "--root", root, "--log", log, "--log-format", "json", "state", "nosuch"],
      { env },
    );
    assertEquals([s.code, s.stderr], [1, "tsrun: container does not exist: nosuch\n"]);
    const lines = Deno.readTextFileSync(log).trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.map((l) => [l.level, l.msg]), [
      ["error", "container does not exist: nosuch"],
      ["warning", `--log: the logging library could not be loaded: ${missing("@logtape/logtape")}`],
    ]);
    ok(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l.time)), "RFC3339 times");
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test(
  { name: "scripts/deno install repairs a lost or cut registry.json", ignore: ignoreFetch },
  async () => {
    const dir = await brokenCache("zod");
    const root = await tempRoot();
    try {
      // Cut mid-write rather than lost.
      const meta = join(dir, PACKAGES, "@logtape", "logtape", "registry.json");
      await Deno.writeTextFile(meta, (await Deno.readTextFile(meta)).slice(0, 100));
      const env = { DENO_DIR: dir };
      const install = await command([DENO, "install", "--quiet"], { env, cwd: REPO_ROOT });
      assertEquals(install.code, 0, install.stderr);
      match(install.stderr, /lacks npm\/registry\.npmjs\.org\/zod\/registry\.json/);
      match(install.stderr, /lacks npm\/registry\.npmjs\.org\/@logtape\/logtape\/registry\.json/);
      const log = join(root, "log.json");
      const s = await command([TSRUN, "--root", root, "--log", log, "state", "nosuch"], { env });
      assertEquals(s.code, 1);
      match(
        Deno.readTextFileSync(log),
        /^time="[^"]+" level=error msg="container does not exist: nosuch"\n$/,
      );
      const v = await command([TSRUN, "validate", "-b", root], { env });
      match(v.stdout + v.stderr, /\/process: /, "validation itself runs (zod loads)");
      const again = await command([DENO, "install", "--quiet"], { env, cwd: REPO_ROOT });
      assertEquals([again.code, again.stderr], [0, ""], "a whole cache is left alone");
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(root, { recursive: true });
    }
  },
);

Deno.test({
  name: "the demo command repairs a cache that lost a registry.json",
  ignore: ignoreFetch || requireRoot("the demo"),
}, async () => {
  const dir = await brokenCache("zod");
  try {
    const demo = await command([join(REPO_ROOT, "scripts", "demo")], { env: { DENO_DIR: dir } });
    assertEquals(demo.code, 0, demo.stderr);
    match(demo.stdout, /^hello from tsrun\n/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
