// From source, the container's init runs as one pre-built JavaScript file. A single file can be
// sealed and handed to the init as a descriptor (runtime/self-exec.ts), so the init reads no
// module graph through host paths and writes no cache; Deno also starts it faster than the
// TypeScript graph. Built by `deno bundle` into .tools/init/ (the install step does it, and
// this rebuilds it whenever a source file it came from changed). The compiled binary carries
// its modules inside and needs none of this.
import { RuntimeError } from "./errors.ts";

const root = new URL("../", import.meta.url).pathname;
const dir = `${root}.tools/init`;
const bundle = `${dir}/init.js`;
const manifest = `${dir}/sources.json`;

interface Manifest {
  deno: string;
  /** Repo-relative path → [mtime ms, size] of every local module of the init's graph. */
  files: Record<string, [number, number]>;
}

/** The path of an up-to-date bundle of init/main.ts, built first when needed. */
export function initBundle(): string {
  if (!isFresh()) build();
  return bundle;
}

function fingerprint(rel: string): [number, number] {
  const st = Deno.statSync(`${root}${rel}`);
  return [st.mtime?.getTime() ?? 0, st.size];
}

function isFresh(): boolean {
  try {
    const m: Manifest = JSON.parse(Deno.readTextFileSync(manifest));
    if (m.deno !== Deno.version.deno || !Deno.statSync(bundle).isFile) return false;
    return Object.entries(m.files).every(([rel, [mtime, size]]) => {
      const [t, s] = fingerprint(rel);
      return t === mtime && s === size;
    });
  } catch {
    return false;
  }
}

function deno(args: string[]): string {
  const out = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).outputSync();
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "";
    throw new RuntimeError(
      `cannot build the init bundle in ${dir} (deno ${args[0]}: ${why}); ` +
        `run ${root}scripts/deno task bundle`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** Bundles init/main.ts and records what it was made from; atomic for concurrent callers. */
export function build(): void {
  Deno.mkdirSync(dir, { recursive: true });
  // The sources are stamped before bundling: an edit during the build makes it stale next time.
  const graph = JSON.parse(deno(["info", "--json", "--no-config", "init/main.ts"]));
  const files: Manifest["files"] = {};
  for (const m of graph.modules as { specifier: string }[]) {
    if (!m.specifier.startsWith(`file://${root}`)) continue;
    const rel = m.specifier.slice(`file://${root}`.length);
    files[rel] = fingerprint(rel);
  }
  const tmp = `${bundle}.${Deno.pid}`;
  try {
    deno(["bundle", "--quiet", "--no-config", "--platform", "deno", "-o", tmp, "init/main.ts"]);
    Deno.renameSync(tmp, bundle);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* never written */ }
    throw e;
  }
  const m: Manifest = { deno: Deno.version.deno, files };
  Deno.writeTextFileSync(`${manifest}.${Deno.pid}`, JSON.stringify(m));
  Deno.renameSync(`${manifest}.${Deno.pid}`, manifest);
}
