// `deno run -A tests/helpers/write-bundle.ts DIR ARGS...`: writes a busybox bundle at DIR whose
// process runs ARGS, replacing any previous one (used by scripts/demo and scripts/bench.ts).
import { writeBundle } from "./rootfs.ts";

if (import.meta.main) {
  const [dir, ...args] = Deno.args;
  if (!dir || args.length === 0) {
    console.error("usage: write-bundle.ts DIR ARGS...");
    Deno.exit(2);
  }
  try {
    await Deno.remove(dir, { recursive: true }).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    writeBundle(dir, { args });
  } catch (err) {
    console.error(`write-bundle: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
