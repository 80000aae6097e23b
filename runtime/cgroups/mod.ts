// The cgroup layer's entry point: pick the manager for this host's layout, either resolving a
// container's cgroupsPath (create) or reopening the directories create resolved (every later
// command).
import { type CgroupHost, detect, type Hierarchy } from "./detect.ts";
import { CgroupError, readFile } from "./files.ts";
import { hierarchyDir, parseCgroupsPath, parseProcCgroup } from "./path.ts";
import type { CgroupManager, Layout } from "./types.ts";
import { V1Manager } from "./v1.ts";
import { V2Manager } from "./v2.ts";
import { NoCgroupManager } from "./none.ts";

export interface HostOptions {
  /** Where the hierarchies are mounted; tests point this at a temporary tree. */
  root?: string;
  /** Directory holding `mountinfo` and `cgroup` of the calling process. */
  proc?: string;
}

export interface CgroupOptions extends HostOptions {
  /** linux.cgroupsPath; unset means the container id, relative (runc's cgroupfs default). */
  cgroupsPath?: string;
  id: string;
  /** Overrides detection (e.g. "v2" to use the unified mount of a hybrid host on its own). */
  layout?: Layout;
}

/** What a container's state keeps to find its cgroup again. A relative cgroupsPath resolves
 * against the caller's own cgroup, and engines run pause/delete/... from other cgroups than
 * create's: so later commands reopen these directories instead of resolving it again. */
export type CgroupRecord = Pick<CgroupManager, "layout" | "paths"> & {
  /** A rootless container without a cgroup (see none.ts): `paths` is empty on purpose. */
  none?: true;
  /** Made by the systemd driver: `paths` are this scope unit's directories. */
  systemd?: { unit: string };
};

function managerFor(
  host: CgroupHost,
  id: string,
  dirOf: (h: Hierarchy) => string | undefined,
): CgroupManager {
  if (host.layout !== "v2") return new V1Manager(host, dirOf, id);
  const dir = dirOf(host.unified!);
  if (dir === undefined) throw new CgroupError(`container ${id}: no cgroup2 directory recorded`);
  return new V2Manager(host, dir, id);
}

/** The manager for a container's cgroupsPath, resolved as runc's cgroupfs driver does. */
export function cgroupManager(o: CgroupOptions): CgroupManager {
  const proc = o.proc ?? "/proc/self";
  const host = detect(o.root ?? "/sys/fs/cgroup", proc, o.layout);
  const path = parseCgroupsPath(o.cgroupsPath, o.id);
  const own = path.relative ? parseProcCgroup(readFile(`${proc}/cgroup`)) : new Map();
  return managerFor(host, o.id, (h) => hierarchyDir(h, path, own, host.layout === "v2"));
}

/**
 * The manager over exactly the directories a record names, whatever the caller's cgroup; a
 * record of none is a rootless container without a cgroup, whose processes are `initPid`'s.
 */
export function reopenCgroup(
  id: string,
  saved: CgroupRecord,
  o: HostOptions & { initPid?: number } = {},
): CgroupManager {
  if (typeof saved?.paths !== "object" || saved.paths === null) {
    throw new CgroupError(`container ${id}: its state records no cgroup directories`);
  }
  if (saved.none === true) {
    return new NoCgroupManager(saved.layout, id, o.initPid ?? 0);
  }
  const host = detect(o.root ?? "/sys/fs/cgroup", o.proc ?? "/proc/self", saved.layout);
  // The unified hierarchy is keyed "", a v1 one by its first controller (as `paths` is).
  return managerFor(host, id, (h) => saved.paths[h.controllers[0] ?? ""]);
}

/**
 * The manager over the cgroups a live process is in: for a container whose state lost its
 * record, found through its init. Never a hierarchy's root, which holds the whole host.
 */
export function cgroupOfProcess(id: string, pid: number, o: HostOptions = {}): CgroupManager {
  const host = detect(o.root ?? "/sys/fs/cgroup", o.proc ?? "/proc/self");
  const own = parseProcCgroup(readFile(`/proc/${pid}/cgroup`));
  const here = { relative: true, path: "" };
  return managerFor(host, id, (h) => {
    const dir = hierarchyDir(h, here, own, false);
    if (dir.replace(/\/+$/, "") === h.mountpoint) {
      throw new CgroupError(`container ${id}: its init ${pid} is in the root cgroup`);
    }
    return dir;
  });
}

export { closeFd } from "./files.ts";
export { CgroupError, isDenied } from "./files.ts";
export { firstLimit, NoCgroupManager } from "./none.ts";
export type { CgroupManager, FreezerState, Layout } from "./types.ts";
export type { CgroupStats, StatsEvent } from "./stats-types.ts";
