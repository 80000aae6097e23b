// Waiting for what a container does after the command that started it returned.
import { tsrun } from "./tsrun.ts";

/** Polls `probe` every 50 ms for up to `ms` until `ok`; returns its last value. */
export async function until<T>(
  probe: () => T | Promise<T>,
  ok: (v: T) => boolean,
  ms = 5000,
): Promise<T> {
  let v = await probe();
  for (let waited = 0; !ok(v) && waited < ms; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    v = await probe();
  }
  return v;
}

/** `tsrun state ID`'s status, or the error it printed. */
export async function containerStatus(id: string): Promise<string> {
  const r = await tsrun(["state", id]);
  return r.code === 0 ? JSON.parse(r.stdout).status : `error: ${r.stderr.trim()}`;
}

/** A file's content, or "" while it does not exist. */
export function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
