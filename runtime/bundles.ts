// From source, tsrun runs pre-built bundles, built by `deno bundle` into .tools/bundle/: one per
// command, one for the container's init (a single file that can be sealed and handed over as a
// descriptor, runtime/self-exec.ts) and one per part (runtime/parts.ts). A command's bundle runs
// as the main module (scripts/tsrun, cli/bundled-first.ts) and the parts it loads are imported
// (importPart): Deno's caches of their import analysis and of V8's code spare them the parse
// (~1-5 ms a command). The init, which may open no host cache, evaluates its bundle as a
// classic script. Beside each bundle, NAME.fresh names the sources its code comes from, and is
// written as its build begins: the bundle is stale once one of them is newer. scripts/tsrun
// sources it (a few shell tests, no Deno needed) and runs a stale command from source; a stale
// init or part is rebuilt before use. The compiled binary carries its modules inside and needs
// none of this.
import { RuntimeError } from "./errors.ts";

declare global {
  /** The bundle being run, set by its first module or by the init's loader; undefined from source. */
  var tsrunBundle: string | undefined;
}

/** Whether this code runs from a bundle (import.meta is then unavailable). */
export const BUNDLED = globalThis.tsrunBundle !== undefined;

/** The source tree: a bundle's is two levels above it, this file's one level. */
export const SOURCE_ROOT = BUNDLED
  ? globalThis.tsrunBundle!.replace(/[^/]*\/[^/]*\/[^/]*$/, "")
  : new URL("../", import.meta.url).pathname;
const dir = `${SOURCE_ROOT}.tools/bundle`;

/** The parts (runtime/parts.ts), each a bundle of its own, by their modules. */
export const PARTS = {
  checks: "specs/checks.ts",
  fastChecks: "specs/fast-config.ts",
  systemd: "runtime/cgroups/systemd/manager.ts",
  cgroups: "runtime/cgroups/driver.ts",
  seccomp: "process/seccomp/compile.ts",
  hooks: "process/hooks.ts",
  linuxkit: "runtime/linuxkit/execute.ts",
} as const;
export type Part = keyof typeof PARTS;

/** A part's bundle is "NAME.part": no command has a dot in its name, so none can run it. */
const PART_SUFFIX = ".part";
export const PART_BUNDLES = Object.keys(PARTS).map((p) => p + PART_SUFFIX);

/** Bundles are named after the init, the parts and every command (cli/registry.ts). */
function bundlePath(name: string): string {
  return `${dir}/${name}.js`;
}

/**
 * NAME.fresh: a shell snippet that returns 1 when a source is newer than itself (scripts/tsrun
 * sets $root). Its first line names the Deno that built the bundle, for the checks in JS.
 */
function freshScript(name: string, files: readonly string[], build: string): string {
  const bad = files.find((f) => !/^[\w./-]+$/.test(f));
  if (bad !== undefined) throw new RuntimeError(`bundle ${name}: source path ${bad} needs quoting`);
  return `# deno ${Deno.version.deno}\n# build ${build}\n` +
    `# ${name}.js is stale once one of its sources is newer than this file (runtime/bundles.ts).\n` +
    `for f in ${files.join(" ")}; do\n` +
    `  [ "$root/$f" -nt "$root/.tools/bundle/${name}.fresh" ] && return 1\n` +
    `done\nreturn 0\n`;
}

/** Whether <name>.js exists, was built by this Deno, and none of its sources is newer. */
export function isFresh(name: string): boolean {
  try {
    const path = `${dir}/${name}.fresh`;
    const text = Deno.readTextFileSync(path);
    const files = /^for f in (.*); do$/m.exec(text)?.[1].split(" ");
    if (!files || !text.startsWith(`# deno ${Deno.version.deno}\n`)) return false;
    if (!Deno.statSync(bundlePath(name)).isFile) return false;
    const built = Deno.statSync(path).mtime!.getTime();
    return files.every((f) => Deno.statSync(`${SOURCE_ROOT}${f}`).mtime!.getTime() <= built);
  } catch {
    return false;
  }
}

/** The init's bundle, rebuilt first when stale: the init cannot run from source. */
export async function initBundle(): Promise<string> {
  if (!builtWithThis("init") && !isFresh("init")) await build(["init"]);
  return bundlePath("init");
}

/**
 * Whether `name`'s bundle came from the same build as the command's bundle that runs: a command
 * that starts inits lists the init's sources among its own (build), so scripts/tsrun, which ran
 * it, found none of them newer either, and isFresh's stat of each (~1 ms of create) is spared.
 */
function builtWithThis(name: string): boolean {
  if (!BUNDLED) return false;
  const build = (fresh: string) => {
    try {
      return /^# build (\S+)$/m.exec(Deno.readTextFileSync(fresh))?.[1];
    } catch {
      return undefined;
    }
  };
  const own = build(globalThis.tsrunBundle!.replace(/\.js$/, ".fresh"));
  return own !== undefined && own === build(`${dir}/${name}.fresh`);
}

async function deno(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: SOURCE_ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
    throw new RuntimeError(
      `cannot build the bundles in ${dir} (deno ${args[0]}: ${why}); ` +
        `run ${SOURCE_ROOT}scripts/deno task bundle`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** A part's bundle imported into this process (runtime/parts.ts); rebuilt first when stale. */
export async function importPart(part: Part): Promise<void> {
  const name = part + PART_SUFFIX;
  if (!isFresh(name)) await build([name]);
  const url = new URL("file:///");
  url.pathname = bundlePath(name);
  await import(url.href);
}

/**
 * Commands that never bind libc: exitSoon would exit them plainly anyway, and their bundles leave
 * out the hand-off it needs for the others, spawn code that each call would load (~0.065 ms a
 * KB of a bundle). One that bound libc after all would only exit more slowly.
 */
const NO_LIBC = new Set(["state", "list", "start"]);

/** The module a bundle starts from, generated: the init's main, a part, a command's runner. */
function entry(name: string): string {
  const rel = `.tools/bundle/src/${name}.ts`;
  Deno.writeTextFileSync(
    `${SOURCE_ROOT}${rel}`,
    name === "init"
      ? `import { initMain } from "../../../init/main.ts";\ninitMain();\n`
      : name.endsWith(PART_SUFFIX)
      ? partEntry(name.slice(0, -PART_SUFFIX.length) as Part)
      : `import "../../../cli/bundled-first.ts";\n` +
        `import { runBundled } from "../../../cli/bundled.ts";\n` +
        `import command from "../../../cli/commands/${name}.ts";\n` +
        (NO_LIBC.has(name)
          ? `const exit = (code: number): never => Deno.exit(code);\n`
          : `import { exitSoon as exit } from "../../../syscalls/spawn/exit.ts";\n`) +
        `runBundled(${JSON.stringify(name)}, command, "${Deno.version.deno}", exit);\n`,
  );
  return rel;
}

function partEntry(part: Part): string {
  return `import * as part from "../../../${PARTS[part]}";\n` +
    `(globalThis.tsrunParts ??= {}).${part} = part;\n`;
}

interface GraphModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string } }[];
}

/**
 * The local modules whose code is in `main`'s bundle: type-only imports are left out, their
 * changes do not change the bundle (and each file is a stat on every call).
 */
async function sources(main: string): Promise<string[]> {
  const graph = JSON.parse(await deno(["info", "--json", main]));
  const modules = new Map<string, GraphModule>(
    (graph.modules as GraphModule[]).map((m) => [m.specifier, m]),
  );
  const files: string[] = [];
  const prefix = `file://${SOURCE_ROOT}`;
  const seen = new Set<string>();
  const todo: string[] = graph.roots;
  for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of modules.get(s)?.dependencies ?? []) {
      if (d.code?.specifier) todo.push(d.code.specifier);
    }
    const rel = s.slice(prefix.length);
    if (s.startsWith(prefix) && !rel.startsWith(".tools/")) files.push(rel);
  }
  return files;
}

/**
 * Builds the named bundles in one `deno bundle` (one esbuild, fetched into the cache once even
 * when the cache is new); each lands atomically, for concurrent callers.
 */
export async function build(names: readonly string[]): Promise<void> {
  Deno.mkdirSync(`${dir}/src`, { recursive: true });
  const mains = names.map(entry);
  const files = await Promise.all(mains.map(sources));
  // A command that may start an init vouches for the init's sources too (builtWithThis).
  const starts = (f: string[]) => f.includes("runtime/self-exec.ts");
  if (names.some((n, i) => n !== "init" && starts(files[i]))) {
    const i = names.indexOf("init");
    const init = i >= 0 ? files[i] : await sources(entry("init"));
    names.forEach((n, j) => {
      if (n !== "init" && starts(files[j])) files[j] = [...new Set([...files[j], ...init])];
    });
  }
  const id = crypto.randomUUID();
  const out = Deno.makeTempDirSync({ dir, prefix: ".build-" });
  try {
    // Written before bundling: a source edited during the build is newer than its bundle.
    names.forEach((name, i) =>
      Deno.writeTextFileSync(`${out}/${name}.fresh`, freshScript(name, files[i], id))
    );
    await deno([
      ...["bundle", "--quiet", "--platform", "deno", "--format", "iife", "--minify"],
      ...["--outdir", out, ...mains],
    ]);
    for (const name of names) {
      Deno.renameSync(`${out}/${name}.js`, bundlePath(name));
      Deno.renameSync(`${out}/${name}.fresh`, `${dir}/${name}.fresh`);
    }
  } finally {
    Deno.removeSync(out, { recursive: true });
  }
}
