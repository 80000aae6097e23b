// A `cgroup` or `cgroup2` mount inside the container: the container's own cgroups, not the
// host's tree. With a cgroup namespace the kernel scopes a fresh mount; without one the
// container's cgroup directories are bind-mounted. Type `cgroup` gives the host's layout (on v1
// and hybrid hosts a tmpfs with one directory per hierarchy, as runc); `cgroup2` gives the
// unified hierarchy alone.
import { mount, MS } from "../syscalls/mount.ts";
import { fdPath } from "../process/secure-path.ts";
import { closeFd } from "../syscalls/socket.ts";

const NOT_CONTROLLERS = new Set([
  "rw",
  "ro",
  "clone_children",
  "noprefix",
  "xattr",
  "cpuset_v2_mode",
]);

export interface Hierarchy {
  mountpoint: string;
  fstype: "cgroup" | "cgroup2";
  /** v1 controllers (or name=...) from the super options; empty for cgroup2. */
  controllers: string[];
}

/** The cgroup hierarchies mounted in a mountinfo text, in its order. */
export function hierarchies(mountinfo: string): Hierarchy[] {
  const out: Hierarchy[] = [];
  for (const line of mountinfo.split("\n")) {
    const [pre, post] = line.split(" - ");
    if (!post) continue;
    const [fstype, , superOpts] = post.split(" ");
    if (fstype !== "cgroup" && fstype !== "cgroup2") continue;
    const mountpoint = pre.split(" ")[4];
    const controllers = fstype === "cgroup"
      ? superOpts.split(",").filter((o) =>
        o.startsWith("name=") || (!o.includes("=") && !NOT_CONTROLLERS.has(o))
      )
      : [];
    // One entry per hierarchy, where it was mounted first: a rootless config binds the host's
    // /sys into the rootfs recursively, which repeats every hierarchy under the rootfs.
    const key = (h: { fstype: string; controllers: string[] }) =>
      `${h.fstype}:${h.controllers.slice().sort().join(",")}`;
    if (out.some((h) => key(h) === key({ fstype, controllers }))) continue;
    out.push({ mountpoint, fstype, controllers });
  }
  return out;
}

/** hierarchy key ("cpu,cpuacct", "name=systemd", "" for v2) → this process's cgroup path. */
export function ownPaths(procCgroup: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of procCgroup.trim().split("\n")) {
    const first = line.indexOf(":"), second = line.indexOf(":", first + 1);
    map.set(line.slice(first + 1, second).split(",").sort().join(","), line.slice(second + 1));
  }
  return map;
}

/**
 * Mounts the container's cgroups on `target` (/proc/self/fd/N of the mount point); `reopen`
 * opens the mount point again, to reach what was just mounted on it.
 */
export function mountCgroups(
  target: string,
  reopen: () => number,
  flags: number,
  cgroupns: boolean,
  v2only: boolean,
): void {
  const all = hierarchies(Deno.readTextFileSync("/proc/self/mountinfo"));
  const paths = ownPaths(Deno.readTextFileSync("/proc/self/cgroup"));
  const own = (h: Hierarchy) => paths.get(h.controllers.slice().sort().join(",")) ?? "/";
  const bindOrMount = (h: Hierarchy, dest: string) => {
    if (cgroupns) {
      const data = h.fstype === "cgroup" ? h.controllers.join(",") : null;
      return mount(h.fstype, dest, h.fstype, flags & ~(MS.BIND | MS.REC), data);
    }
    const path = own(h);
    mount(`${h.mountpoint}${path === "/" ? "" : path}`, dest, null, MS.BIND | MS.REC, null);
  };
  /** A bind takes its flags from a remount; `dest` must name the new mount itself. */
  const remountBind = (dest: string) => {
    if (cgroupns || !(flags & MS.RDONLY)) return;
    mount(null, dest, null, MS.BIND | MS.REMOUNT | (flags & ~(MS.REC | MS.BIND)), null);
  };
  const unified = all.find((h) => h.fstype === "cgroup2");
  if (v2only || (all.length === 1 && unified)) {
    if (!unified) throw new Error("no cgroup2 hierarchy on this host");
    bindOrMount(unified, target);
    const fd = reopen();
    try {
      return remountBind(fdPath(fd));
    } finally {
      closeFd(fd);
    }
  }
  mount("tmpfs", target, "tmpfs", flags & ~(MS.RDONLY | MS.BIND | MS.REC), "mode=755");
  const fd = reopen();
  const tmpfs = fdPath(fd);
  try {
    for (const h of all) {
      const name = h.mountpoint.slice(h.mountpoint.lastIndexOf("/") + 1);
      Deno.mkdirSync(`${tmpfs}/${name}`, { mode: 0o755 });
      bindOrMount(h, `${tmpfs}/${name}`);
      remountBind(`${tmpfs}/${name}`);
      // A co-mounted hierarchy ("cpu,cpuacct") is also reachable by each controller's name.
      if (name.includes(",")) {
        for (const c of name.split(",")) Deno.symlinkSync(name, `${tmpfs}/${c}`);
      }
    }
    if (flags & MS.RDONLY) {
      mount(null, tmpfs, null, MS.REMOUNT | MS.RDONLY | (flags & ~(MS.REC | MS.BIND)), null);
    }
  } finally {
    closeFd(fd);
  }
}
