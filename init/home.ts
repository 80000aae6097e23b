// HOME for the container process when its env has none: the user's home from the container's
// /etc/passwd, else "/", as runc does (shells and many programs expect HOME to be set).

/** The home directory of `uid` in a passwd file's text, if it has that user. */
export function passwdHome(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length >= 7 && Number(f[2]) === uid && f[2].trim() !== "") return f[5] || undefined;
  }
  return undefined;
}

/** `env` with HOME added when it lacks a non-empty one. */
export function withHome(env: readonly string[], uid: number, passwd?: string): string[] {
  if (env.some((e) => e.startsWith("HOME=") && e.length > 5)) return [...env];
  const home = (passwd !== undefined ? passwdHome(passwd, uid) : undefined) ?? "/";
  return [...env.filter((e) => !e.startsWith("HOME=")), `HOME=${home}`];
}
