// Lexical path helpers. node:path would do, but importing any node: module starts Deno's Node
// compatibility layer (15-30 ms), too much for commands that run on every container start.

/** "a//b/./../c" → "a/c"; absolute paths stay absolute and never climb above "/". */
export function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const c of path.split("/")) {
    if (c === "" || c === ".") continue;
    if (c !== "..") out.push(c);
    else if (out.length && out.at(-1) !== "..") out.pop();
    else if (!absolute) out.push("..");
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== "").join("/"));
}

export function dirname(path: string): string {
  const n = normalize(path);
  const i = n.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : n.slice(0, i);
}
