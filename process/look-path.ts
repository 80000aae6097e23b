// Finds the container's executable the way runc reports it, so engines map a missing binary
// to exit code 127 ("executable file not found in $PATH", "no such file or directory"). init
// looks inside its own root; `exec` looks from the host through /proc/<pid>/root.
import { resolveInRoot } from "./secure-path.ts";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface LookIn {
  /** The container's root seen from here (never left through a symlink); "/" when inside. */
  root?: string;
  /** The process's working directory in the container, for relative names. */
  cwd?: string;
}

/** Returns the path to execve as the container sees it. */
export function lookPath(file: string, env: readonly string[], at: LookIn = {}): string {
  const check = (path: string) => {
    const abs = path.startsWith("/") || at.cwd === undefined ? path : `${at.cwd}/${path}`;
    const st = Deno.statSync(at.root ? resolveInRoot(at.root, abs) : abs);
    if (st.isDirectory) throw new LookError(`exec: "${file}": is a directory`);
    if (((st.mode ?? 0) & 0o111) === 0) throw new LookError(`exec: "${file}": permission denied`);
  };
  if (file.includes("/")) {
    try {
      check(file);
    } catch (e) {
      if (e instanceof LookError) throw e;
      const why = e instanceof Deno.errors.NotFound ? "no such file or directory" : reason(e);
      throw new LookError(`exec: "${file}": stat ${file}: ${why}`);
    }
    return file;
  }
  const pathVar = env.findLast((e) => e.startsWith("PATH="))?.slice(5) ?? DEFAULT_PATH;
  for (const dir of pathVar.split(":")) {
    const candidate = `${dir || "."}/${file}`;
    try {
      check(candidate);
      return candidate;
    } catch { /* keep looking */ }
  }
  throw new LookError(`exec: "${file}": executable file not found in $PATH`);
}

/**
 * A host program tsrun itself runs (ps, newuidmap): from $PATH, then the usual places, since
 * engines may call with no PATH (and Deno then sets one of its own); never from a relative entry,
 * which would depend on the working directory.
 */
export function hostProgram(name: string): string {
  const dirs = `${Deno.env.get("PATH") ?? ""}:${DEFAULT_PATH}`.split(":");
  return lookPath(name, [`PATH=${dirs.filter((d) => d.startsWith("/")).join(":")}`]);
}

class LookError extends Error {}

/** An error's message without the host path Deno appends (` (os error 2): stat '/proc/...'`),
 * starting in lower case like runc's. */
function reason(e: unknown): string {
  const msg = String((e as Error).message ?? e).replace(/ \(os error \d+\).*$/, "");
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}
