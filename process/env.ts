// The process's environment as runc hands it over, for the init and `exec` alike: one entry per
// name (the last one wins, in the order of the winners) and a HOME from the container's
// /etc/passwd when unset or empty.

/**
 * `passwd` reads the container's /etc/passwd (undefined when it has none); it is called only
 * when HOME is missing. A uid without an entry gets HOME=/. An entry that is not NAME=VALUE
 * reaches the process as given (validation warns about it).
 */
export function prepareEnv(
  env: readonly string[],
  uid: number,
  passwd: () => string | undefined,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  let home = false;
  for (let i = env.length - 1; i >= 0; i--) {
    const kv = env[i];
    const eq = kv.indexOf("=");
    if (kv.includes("\0")) {
      throw new Error(
        `process.env ${JSON.stringify(kv.slice(0, Math.max(eq, 0)))}: contains a NUL byte`,
      );
    }
    const name = eq > 0 ? kv.slice(0, eq) : undefined;
    if (name !== undefined) {
      if (seen.has(name)) continue;
      seen.add(name);
      // An empty HOME is dropped and replaced, as if it were unset.
      if (name === "HOME") {
        if (eq === kv.length - 1) continue;
        home = true;
      }
    }
    out.push(kv);
  }
  out.reverse();
  if (!home) out.push(`HOME=${homeOf(uid, passwd()) ?? "/"}`);
  return out;
}

/** The home directory of `uid` in passwd(5) text. */
export function homeOf(uid: number, passwd: string | undefined): string | undefined {
  for (const line of passwd?.split("\n") ?? []) {
    const f = line.split(":");
    if (f.length >= 7 && f[2] === String(uid)) return f[5] || undefined;
  }
  return undefined;
}
