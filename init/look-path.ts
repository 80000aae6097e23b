// Finds the container's executable the way runc reports it, so engines map a missing binary
// to exit code 127 ("executable file not found in $PATH", "no such file or directory").
export function lookPath(file: string, env: readonly string[]): string {
  const isExec = (p: string) => {
    const st = Deno.statSync(p);
    if (st.isDirectory) throw new Error(`exec: "${file}": is a directory`);
    if (((st.mode ?? 0) & 0o111) === 0) throw new Error(`exec: "${file}": permission denied`);
  };
  if (file.includes("/")) {
    try {
      isExec(file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error(`exec: "${file}": stat ${file}: no such file or directory`);
      }
      throw e;
    }
    return file;
  }
  const pathVar = env.findLast((e) => e.startsWith("PATH="))?.slice(5) ??
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const dir of pathVar.split(":")) {
    const candidate = `${dir || "."}/${file}`;
    try {
      isExec(candidate);
      return candidate;
    } catch { /* keep looking */ }
  }
  throw new Error(`exec: "${file}": executable file not found in $PATH`);
}
