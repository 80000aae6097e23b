// Finds the program to exec inside a running container, from the host: through the init's
// /proc/<pid>/root, never following a symlink out of it. The messages are runc's, which engines
// turn into exit code 127 ("executable file not found in $PATH", "no such file or directory").
import { resolveInRoot } from "../../init/secure-path.ts";
import { RuntimeError } from "../errors.ts";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Returns the path to execve as the container sees it. `root` is the container's root seen from
 * here; `cwd` is the process's working directory in the container (for relative names).
 */
export function lookPathIn(root: string, file: string, env: readonly string[], cwd: string) {
  const check = (path: string) => {
    const abs = path.startsWith("/") ? path : `${cwd}/${path}`;
    const st = Deno.statSync(resolveInRoot(root, abs));
    if (st.isDirectory) throw new RuntimeError(`exec: "${file}": is a directory`);
    if (((st.mode ?? 0) & 0o111) === 0) {
      throw new RuntimeError(`exec: "${file}": permission denied`);
    }
  };
  if (file.includes("/")) {
    try {
      check(file);
    } catch (e) {
      if (e instanceof RuntimeError) throw e;
      const why = e instanceof Deno.errors.NotFound ? "no such file or directory" : reason(e);
      throw new RuntimeError(`exec: "${file}": stat ${file}: ${why}`);
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
  throw new RuntimeError(`exec: "${file}": executable file not found in $PATH`);
}

/** An error's message without the host path Deno appends (` (os error 2): stat '/proc/...'`),
 * starting in lower case like runc's. */
function reason(e: unknown): string {
  const msg = String((e as Error).message ?? e).replace(/ \(os error \d+\).*$/, "");
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}
