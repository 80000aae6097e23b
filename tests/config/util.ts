// Running one busybox container per check and reading what it saw: its output, and parsed
// /proc/self/mountinfo lines.
import { type Bundle, type Config, makeBundle, type RunResult, tsrun } from "../helpers/mod.ts";

let serial = 0;

/** A container id unique within this test file (ids are per state root, one per file). */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Deno.pid}-${++serial}`;
}

/**
 * `tsrun run` of `sh -c script` with the default test config edited by `edit`; the bundle is
 * removed afterwards unless `keep` (then the caller cleans up).
 */
export async function runScript(
  script: string,
  edit: (c: Config, b: { dir: string; rootfs: string }) => void = () => {},
  opts: { prepare?: (b: Bundle) => void | Promise<void>; id?: string; args?: string[] } = {},
): Promise<RunResult> {
  const b = await makeBundle({ args: ["sh", "-c", script] });
  try {
    edit(b.config, b);
    b.writeConfig();
    await opts.prepare?.(b);
    return await tsrun(["run", "-b", b.dir, ...(opts.args ?? []), opts.id ?? uniqueId("cfg")]);
  } finally {
    await b.cleanup();
  }
}

export interface MountInfo {
  mountpoint: string;
  root: string;
  /** Per-mount options (ro, nosuid, relatime...). */
  options: string[];
  /** Optional fields: shared:N, master:N, propagate_from:N, unbindable. */
  optional: string[];
  fstype: string;
  source: string;
  superOptions: string[];
}

const unescape = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));

/** Parses mountinfo text (e.g. a container's `cat /proc/self/mountinfo`). */
export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split("\n")) {
    const sep = line.indexOf(" - ");
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(" ");
    const post = line.slice(sep + 3).split(" ");
    out.push({
      root: unescape(pre[3]),
      mountpoint: unescape(pre[4]),
      options: pre[5].split(","),
      optional: pre.slice(6),
      fstype: post[0],
      source: unescape(post[1]),
      superOptions: (post[2] ?? "").split(","),
    });
  }
  return out;
}

/** The topmost mount at `path` (the last one listed there). */
export function mountAt(mounts: MountInfo[], path: string): MountInfo | undefined {
  return mounts.findLast((m) => m.mountpoint === path);
}

/** Deletes the namespaces of these types from the config. */
export function dropNamespaces(c: Config, ...types: string[]): void {
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => !types.includes(n.type));
}

/** Adds a user namespace mapping container ids 0..size-1 to host ids base..base+size-1. */
export function addUserns(c: Config, base = 100000, size = 65536): void {
  c.linux.namespaces.push({ type: "user" });
  c.linux.uidMappings = [{ containerID: 0, hostID: base, size }];
  c.linux.gidMappings = [{ containerID: 0, hostID: base, size }];
}
