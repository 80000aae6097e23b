// An install that repairs itself: a module cache that lost a package's registry.json (seen
// after interrupted fresh installs) makes tsrun from source answer with one line naming the
// command that repairs it (in the --log file too), and that command, which the README's test
// and demo commands run, fetches the package again. Each test works on a copy of the cache: the
// shared .tools/deno-dir is never touched.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT, requireRoot, skipUnless } from "../helpers/mod.ts";
import { command } from "../helpers/command.ts";

const CACHE = join(REPO_ROOT, ".tools", "deno-dir");
const DENO = join(REPO_ROOT, "scripts", "deno");
const ZOD_META = join("npm", "registry.npmjs.org", "zod", "registry.json");

function cached(): boolean {
  try {
    return Deno.statSync(join(CACHE, ZOD_META)).isFile;
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

/** A copy of the cache's npm packages (and Deno's downloads, for the bundler). */
async function cacheCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-deno-dir-" });
  for (const sub of ["npm", "dl"]) {
    const from = join(CACHE, sub);
    if (!(await Deno.stat(from).catch(() => undefined))) continue;
    const cp = await command(["cp", "-a", from, join(dir, sub)]);
    assertEquals(cp.code, 0, cp.stderr);
  }
  return dir;
}

/** A copy whose zod registry.json is lost. */
async function lostMeta(): Promise<string> {
  const dir = await cacheCopy();
  await Deno.remove(join(dir, ZOD_META));
  return dir;
}

/** A copy whose zod registry.json was cut mid-write. */
async function cutMeta(): Promise<string> {
  const dir = await cacheCopy();
  const meta = join(dir, ZOD_META);
  await Deno.writeTextFile(meta, (await Deno.readTextFile(meta)).slice(0, 100));
  return dir;
}

const missing = (pkg: string) =>
  `the npm package ${pkg} is missing from Deno's module cache: ` +
  `run ${DENO} install to repair the install`;

Deno.test({
  name: "a lost registry.json: one line naming the repair, in the --log file too",
  ignore,
}, async () => {
  const dir = await lostMeta();
  const root = await Deno.makeTempDir({ prefix: "tsrun-root-" });
  try {
    await Deno.writeTextFile(join(root, "config.json"), '{"ociVersion":"1.0.2"}');
    // From source, as scripts/tsrun and a stale command bundle run tsrun (a bundle carries zod).
    const log = join(root, "log.json");
    const v = await command([
      DENO,
      ...["run", "-A", "--cached-only", "--no-lock", "--quiet", "--no-prompt"],
      ...["--config", join(REPO_ROOT, "deno.json"), join(REPO_ROOT, "main.ts")],
      ...["--log", log, "--log-format", "json", "validate", "-b", root],
    ], { env: { DENO_DIR: dir } });
    assertEquals([v.code, v.stdout, v.stderr], [1, "", `tsrun: ${missing("zod")}\n`]);
    const lines = Deno.readTextFileSync(log).trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(lines.map((l) => [l.level, l.msg]), [["error", missing("zod")]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test({
  name: "scripts/deno install repairs a lost or cut registry.json",
  ignore: ignoreFetch,
}, async () => {
  for (const [what, broken] of [["lost", lostMeta], ["cut", cutMeta]] as const) {
    const dir = await broken();
    try {
      const env = { DENO_DIR: dir };
      const install = await command([DENO, "install", "--quiet"], { env, cwd: REPO_ROOT });
      assertEquals(install.code, 0, install.stderr);
      match(install.stderr, /lacks npm\/registry\.npmjs\.org\/zod\/registry\.json/, what);
      assertEquals(JSON.parse(await Deno.readTextFile(join(dir, ZOD_META))).name, "zod", what);
      const again = await command([DENO, "install", "--quiet"], { env, cwd: REPO_ROOT });
      assertEquals([again.code, again.stderr], [0, ""], `${what}: a whole cache is left alone`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test({
  name: "the demo command repairs a cache that lost a registry.json",
  ignore: ignoreFetch || requireRoot("the demo"),
}, async () => {
  const dir = await lostMeta();
  try {
    const demo = await command([join(REPO_ROOT, "scripts", "demo")], { env: { DENO_DIR: dir } });
    assertEquals(demo.code, 0, demo.stderr);
    match(demo.stdout, /^hello from tsrun\n/);
    match(demo.stderr, /lacks npm\/registry\.npmjs\.org\/zod\/registry\.json/);
    assertEquals(JSON.parse(await Deno.readTextFile(join(dir, ZOD_META))).name, "zod");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "a fresh module cache: the install and the bundles build (esbuild fetched once)",
  ignore: ignoreFetch,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-deno-dir-" });
  try {
    const env = { DENO_DIR: dir };
    const install = await command([DENO, "install", "--quiet"], { env, cwd: REPO_ROOT });
    assertEquals([install.code, install.stderr], [0, ""]);
    const bundle = await command([DENO, "run", "-A", "--quiet", "scripts/bundle.ts"], {
      env,
      cwd: REPO_ROOT,
    });
    assertEquals([bundle.code, bundle.stderr], [0, ""]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
