// Which cgroup hierarchies the host has, and where. The kernel's own view (/proc/self/mountinfo:
// filesystem type and super options name the controllers of each mount) is authoritative; a
// directory tree that is not mounted cgroupfs (tests' temporary trees) is read by its names.
import { CgroupError, exists, readFile, readOptional } from "./files.ts";
import type { Layout } from "./types.ts";

export interface Hierarchy {
  /** Controllers bound to this mount; named hierarchies appear as "name=systemd". */
  controllers: string[];
  mountpoint: string;
  /** Path inside the hierarchy that is mounted (not "/" under a cgroup namespace/bind mount). */
  mountRoot: string;
}

export interface CgroupHost {
  layout: Layout;
  root: string;
  v1: Hierarchy[];
  /** The cgroup2 hierarchy: at root on v2, at root/unified on hybrid. */
  unified?: Hierarchy;
  /** Controllers the cgroup2 root offers (its cgroup.controllers). */
  unifiedControllers: string[];
}

const V1_CONTROLLERS = new Set([
  "cpuset",
  "cpu",
  "cpuacct",
  "blkio",
  "memory",
  "devices",
  "freezer",
  "net_cls",
  "perf_event",
  "net_prio",
  "hugetlb",
  "pids",
  "rdma",
  "misc",
]);

interface Mount {
  mountRoot: string;
  mountpoint: string;
  fstype: string;
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The mounts of a mountinfo text; with `fstype`, only those whose type starts with it, the other
 * lines skipped unparsed (every command that reopens a cgroup reads the host's mountinfo).
 */
export function parseMountinfo(text: string, fstype = ""): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split("\n")) {
    if (!line.includes(` - ${fstype}`)) continue;
    const f = line.split(" ");
    const sep = f.indexOf("-", 6);
    if (sep < 0) continue;
    out.push({
      mountRoot: unescape(f[3]),
      mountpoint: unescape(f[4]),
      fstype: f[sep + 1],
      superOptions: (f[sep + 3] ?? "").split(","),
    });
  }
  return out;
}

export function detectHost(root: string, mountinfo: string, layout?: Layout): CgroupHost {
  const mounts = parseMountinfo(mountinfo, "cgroup").filter((m) =>
    (m.fstype === "cgroup" || m.fstype === "cgroup2") &&
    (m.mountpoint === root || m.mountpoint.startsWith(root + "/"))
  );
  return mounts.length > 0 ? fromMounts(root, mounts, layout) : fromTree(root, layout);
}

function fromMounts(root: string, mounts: Mount[], want?: Layout): CgroupHost {
  const v1: Hierarchy[] = [];
  let unified: Hierarchy | undefined;
  for (const m of mounts) {
    if (m.fstype === "cgroup2") {
      if (m.mountpoint === root || m.mountpoint === `${root}/unified`) {
        unified ??= { controllers: [], mountpoint: m.mountpoint, mountRoot: m.mountRoot };
      }
      continue;
    }
    const controllers = m.superOptions.filter((o) =>
      V1_CONTROLLERS.has(o) || o.startsWith("name=")
    );
    const key = controllers.join(",");
    if (controllers.length > 0 && !v1.some((h) => h.controllers.join(",") === key)) {
      v1.push({ controllers, mountpoint: m.mountpoint, mountRoot: m.mountRoot });
    }
  }
  const found: Layout = unified?.mountpoint === root || v1.length === 0
    ? "v2"
    : unified
    ? "hybrid"
    : "v1";
  return finish(root, want ?? found, v1, unified);
}

function fromTree(root: string, want?: Layout): CgroupHost {
  if (!exists(root)) throw new CgroupError(`no cgroup filesystem at ${root}`);
  const v2Root = exists(`${root}/cgroup.controllers`);
  const layout = want ?? (v2Root ? "v2" : exists(`${root}/unified`) ? "hybrid" : "v1");
  if (layout === "v2") {
    return finish(root, layout, [], { controllers: [], mountpoint: root, mountRoot: "/" });
  }
  const v1: Hierarchy[] = [];
  for (const e of Deno.readDirSync(root)) {
    if (!e.isDirectory || e.name === "unified") continue;
    const controllers = e.name.split(",").map((c) => V1_CONTROLLERS.has(c) ? c : `name=${c}`);
    v1.push({ controllers, mountpoint: `${root}/${e.name}`, mountRoot: "/" });
  }
  v1.sort((a, b) => a.mountpoint.localeCompare(b.mountpoint));
  const unified = layout === "hybrid"
    ? { controllers: [], mountpoint: `${root}/unified`, mountRoot: "/" }
    : undefined;
  return finish(root, layout, v1, unified);
}

function finish(root: string, layout: Layout, v1: Hierarchy[], found?: Hierarchy): CgroupHost {
  const unified = layout === "v1" ? undefined : found;
  if (layout === "v2") v1 = [];
  const text = unified ? readOptional(`${unified.mountpoint}/cgroup.controllers`) : undefined;
  const unifiedControllers = text?.trim().split(/\s+/).filter((c) => c !== "") ?? [];
  if (layout !== "v1" && !unified) throw new CgroupError(`no cgroup2 filesystem at ${root}`);
  return { layout, root, v1, unified, unifiedControllers };
}

/** The host's cgroups as seen from /proc/self (or a test's substitute directory). */
export function detect(root = "/sys/fs/cgroup", proc = "/proc/self", layout?: Layout): CgroupHost {
  return detectHost(root, readFile(`${proc}/mountinfo`), layout);
}
