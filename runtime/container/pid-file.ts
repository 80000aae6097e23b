/** The pid file engines read right after create/exec: decimal pid, no newline, atomic. */
export function writePidFile(path: string, pid: number): void {
  const dir = path.slice(0, path.lastIndexOf("/") + 1) || "./";
  const tmp = `${dir}.${path.slice(dir.length)}.tsrun-tmp`;
  Deno.writeTextFileSync(tmp, String(pid), { mode: 0o644 });
  Deno.renameSync(tmp, path);
}
