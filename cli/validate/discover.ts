// `validate --recursive DIR`: every bundle below DIR. A directory holding config.json is a
// bundle and is not searched further (its rootfs may hold other config.json files); symlinks
// are not followed, so a link loop cannot trap the walk.
import { CliError } from "../command.ts";

/** Bundle directories below `top` (top included), in sorted order, named as under `top`. */
export function findBundles(top: string, warn: (msg: string) => void): string[] {
  try {
    if (!Deno.statSync(top).isDirectory) throw new CliError(`--recursive ${top}: not a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`--recursive ${top}: no such directory`);
  }
  const found: string[] = [];
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch (e) {
      warn(`--recursive: cannot read ${dir}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (entries.some((e) => e.name === "config.json")) {
      found.push(dir);
      return;
    }
    const sub = entries.filter((e) => e.isDirectory).map((e) => e.name).sort();
    for (const name of sub) walk(dir === "/" ? `/${name}` : `${dir.replace(/\/+$/, "")}/${name}`);
  };
  walk(top);
  if (found.length === 0) {
    throw new CliError(`--recursive ${top}: no bundle (config.json) below it`);
  }
  return found;
}
