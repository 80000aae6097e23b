// The cgroup layer's entry point: pick the manager for this host's layout.
import { detect } from "./detect.ts";
import { readFile } from "./files.ts";
import { hierarchyDir, parseCgroupsPath, parseProcCgroup } from "./path.ts";
import type { CgroupManager, Layout } from "./types.ts";
import { V1Manager } from "./v1.ts";
import { V2Manager } from "./v2.ts";

export interface CgroupOptions {
  /** linux.cgroupsPath; unset means the container id, relative (runc's cgroupfs default). */
  cgroupsPath?: string;
  id: string;
  /** Where the hierarchies are mounted; tests point this at a temporary tree. */
  root?: string;
  /** Overrides detection (e.g. "v2" to use the unified mount of a hybrid host on its own). */
  layout?: Layout;
  /** Directory holding `mountinfo` and `cgroup` of the calling process. */
  proc?: string;
}

export function cgroupManager(o: CgroupOptions): CgroupManager {
  const proc = o.proc ?? "/proc/self";
  const host = detect(o.root ?? "/sys/fs/cgroup", proc, o.layout);
  const path = parseCgroupsPath(o.cgroupsPath, o.id);
  const own = path.relative ? parseProcCgroup(readFile(`${proc}/cgroup`)) : new Map();
  if (host.layout !== "v2") return new V1Manager(host, path, own, o.id);
  return new V2Manager(host, hierarchyDir(host.unified!, path, own, true), o.id);
}

export { closeFd } from "./files.ts";
export { CgroupError } from "./files.ts";
export type { CgroupManager, FreezerState, Layout } from "./types.ts";
export type { CgroupStats, StatsEvent } from "./stats-types.ts";
