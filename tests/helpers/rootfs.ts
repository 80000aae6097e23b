// Busybox test bundles, built offline from the host's static busybox. The verified binary and its
// applet list are cached under .tools/test-rootfs/; each bundle then gets its own small rootfs
// that hard-links the cached binary, so making one costs a few hundred symlinks.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { busyboxApplets, findBusybox } from "./busybox.ts";
import { type Config, defaultConfig } from "./config.ts";
import { mountsUnder } from "./leftovers.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const CACHE_DIR = join(REPO_ROOT, ".tools", "test-rootfs");

const PASSWD =
  "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const GROUP = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";

interface Cached {
  busybox: string;
  applets: string[];
}

let cached: Cached | undefined;

/** The cache entry for the current host busybox, keyed by its size and mtime so updates rebuild. */
function cache(): Cached {
  if (cached) return cached;
  const source = findBusybox();
  const st = Deno.statSync(source);
  const dir = join(CACHE_DIR, `${st.size}-${st.mtime?.getTime() ?? 0}`);
  const read = (): Cached => ({
    busybox: join(dir, "busybox"),
    applets: Deno.readTextFileSync(join(dir, "applets")).split("\n").filter(Boolean),
  });
  try {
    return cached = read();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  // Built aside and renamed into place: test files run in parallel may race to build it.
  Deno.mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = Deno.makeTempDirSync({ dir: CACHE_DIR, prefix: ".build-" });
  try {
    Deno.copyFileSync(source, join(tmp, "busybox"));
    Deno.chmodSync(join(tmp, "busybox"), 0o555);
    const applets = busyboxApplets(join(tmp, "busybox")).filter((a) => a !== "busybox");
    Deno.writeTextFileSync(join(tmp, "applets"), applets.join("\n") + "\n");
    Deno.chmodSync(tmp, 0o755);
    Deno.renameSync(tmp, dir);
  } catch (err) {
    Deno.removeSync(tmp, { recursive: true });
    // Another builder won the race: its entry is as good as ours.
    if (!(err instanceof Deno.errors.AlreadyExists || /not empty/i.test(String(err)))) throw err;
  }
  return cached = read();
}

/** Creates a busybox rootfs at `dir`: bin/ with every applet, etc/passwd, etc/group, mount points. */
export function buildRootfs(dir: string): void {
  const { busybox, applets } = cache();
  Deno.mkdirSync(join(dir, "bin"), { recursive: true });
  try {
    Deno.linkSync(busybox, join(dir, "bin", "busybox"));
  } catch {
    // Another filesystem (or no hard links there): a copy is only ~2 MB.
    Deno.copyFileSync(busybox, join(dir, "bin", "busybox"));
  }
  for (const applet of applets) Deno.symlinkSync("busybox", join(dir, "bin", applet));
  for (const sub of ["etc", "proc", "sys", "dev", "tmp", "root"]) Deno.mkdirSync(join(dir, sub));
  Deno.writeTextFileSync(join(dir, "etc", "passwd"), PASSWD);
  Deno.writeTextFileSync(join(dir, "etc", "group"), GROUP);
  // Explicit modes: the caller's umask must not leak into the rootfs.
  Deno.chmodSync(dir, 0o755);
  Deno.chmodSync(join(dir, "tmp"), 0o1777);
  Deno.chmodSync(join(dir, "root"), 0o700);
}

export interface BundleOptions {
  /** Edits the default config before it is written. */
  config?: (c: Config) => void;
  /** process.args (default: ["sh"]). */
  args?: string[];
}

export interface Bundle {
  /** The bundle directory (holds config.json and rootfs/). */
  dir: string;
  rootfs: string;
  /** The config as written; edit it and call writeConfig() to rewrite config.json. */
  config: Config;
  writeConfig(): void;
  /** Removes the bundle; refuses while anything is still mounted under it. */
  cleanup(): Promise<void>;
}

/** Writes a bundle into `dir` (created if missing); `removeRoot` is what cleanup() deletes. */
export function writeBundle(dir: string, opts: BundleOptions = {}, removeRoot = dir): Bundle {
  const rootfs = join(dir, "rootfs");
  buildRootfs(rootfs);
  const config = defaultConfig(opts.args);
  opts.config?.(config);
  const bundle: Bundle = {
    dir,
    rootfs,
    config,
    writeConfig() {
      Deno.writeTextFileSync(join(dir, "config.json"), JSON.stringify(bundle.config, null, 2));
    },
    async cleanup() {
      const mounts = mountsUnder(removeRoot);
      if (mounts.length > 0) {
        throw new Error(`not removing ${removeRoot}: still mounted: ${mounts.join(", ")}`);
      }
      await Deno.remove(removeRoot, { recursive: true });
    },
  };
  bundle.writeConfig();
  return bundle;
}

/** A fresh bundle at `<tmp>/bundle` with the default config (see config.ts). */
export async function makeBundle(opts: BundleOptions = {}): Promise<Bundle> {
  const tmp = await Deno.makeTempDir({ prefix: "tsrun-test-" });
  try {
    // Traversable by ids a user namespace maps root to, not only by the test's own uid.
    await Deno.chmod(tmp, 0o755);
    return writeBundle(join(tmp, "bundle"), opts, tmp);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true });
    throw err;
  }
}
