// Whether a path names something, as a yes or no: any error (absent, no access) is a no.

/** Whether `path` exists; with `follow` false a dangling symlink counts, as lstat sees it. */
export function exists(path: string, follow = true): boolean {
  try {
    if (follow) Deno.statSync(path);
    else Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is a directory, or a symlink to one. */
export function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Whether the directory `dir` lists `name`. A missing file is a no without an error built:
 * Deno's first costs a process ~0.5 ms, more than the listing of a small directory.
 */
export function listed(dir: string, name: string): boolean {
  try {
    for (const e of Deno.readDirSync(dir)) if (e.name === name) return true;
  } catch { /* an unreadable directory lists nothing */ }
  return false;
}
