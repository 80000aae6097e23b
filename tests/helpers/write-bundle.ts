// `deno run -A tests/helpers/write-bundle.ts [--hostname NAME] DIR ARGS...`: writes a busybox
// bundle at DIR whose process runs ARGS, replacing any previous one (for scripts/demo and
// scripts/bench.ts, which need the same bundles as the tests).
import { writeBundle } from "./rootfs.ts";

if (import.meta.main) {
  const argv = [...Deno.args];
  const hostname = argv[0] === "--hostname" ? argv.splice(0, 2)[1] : undefined;
  const [dir, ...args] = argv;
  if (!dir || args.length === 0) {
    console.error("usage: write-bundle.ts [--hostname NAME] DIR ARGS...");
    Deno.exit(2);
  }
  try {
    await Deno.remove(dir, { recursive: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    writeBundle(dir, { args, config: (c) => c.hostname = hostname ?? c.hostname });
  } catch (err) {
    console.error(`write-bundle: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
