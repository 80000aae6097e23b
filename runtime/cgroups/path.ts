// Where a container's cgroup lives, following runc's cgroupfs driver: an absolute cgroupsPath is
// taken from each hierarchy's root; a relative one (and the default, the container id) goes under
// the caller's own cgroup from /proc/self/cgroup — on v2 under its parent, since the caller's
// own cgroup holds processes and so may not get children with domain controllers.
import { dirname, join, normalize } from "../path.ts";
import { CgroupError } from "./files.ts";
import type { Hierarchy } from "./detect.ts";

export interface CgroupPath {
  relative: boolean;
  /** Cleaned path: "/a/b" when absolute, "a/b" when relative; never escapes with "..". */
  path: string;
}

export function parseCgroupsPath(cgroupsPath: string | undefined, id: string): CgroupPath {
  const raw = cgroupsPath ?? "";
  if (/^[^/:]*:[^/:]*:[^/:]*$/.test(raw)) {
    throw new CgroupError(
      `cgroupsPath "${raw}" is in the systemd "slice:prefix:name" form: ` +
        "that needs --systemd-cgroup",
    );
  }
  const relative = !raw.startsWith("/");
  const cleaned = normalize(`/${raw === "" ? id : raw}`).replace(/\/+$/, "");
  if (cleaned === "") {
    throw new CgroupError(`cgroupsPath "${raw}" names the cgroup root, not a cgroup of its own`);
  }
  return { relative, path: relative ? cleaned.slice(1) : cleaned };
}

/** /proc/self/cgroup → controller (each of a co-mounted "cpu,cpuacct") or "" (cgroup2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "") out.set("", m[2]);
    else for (const c of m[1].split(",")) out.set(c, m[2]);
  }
  return out;
}

/** The directory of the container's cgroup in one hierarchy. `own` is the caller's cgroup
 * there (from parseProcCgroup); `v2Parent` puts relative paths under its parent (see top). */
export function hierarchyDir(
  h: Hierarchy,
  p: CgroupPath,
  own: Map<string, string>,
  v2Parent: boolean,
): string {
  if (!p.relative) return join(h.mountpoint, p.path);
  const key = h.controllers.length === 0 ? "" : h.controllers[0];
  const mine = own.get(key);
  if (mine === undefined) {
    throw new CgroupError(`cannot find this process's cgroup for "${key || "cgroup2"}"`);
  }
  // Under a cgroup namespace or bind mount the mount shows only a subtree.
  const inMount = h.mountRoot !== "/" && mine.startsWith(h.mountRoot)
    ? mine.slice(h.mountRoot.length)
    : mine;
  const base = v2Parent ? dirname(join("/", inMount)) : inMount;
  return join(h.mountpoint, base, p.path);
}
