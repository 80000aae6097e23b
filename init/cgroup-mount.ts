// A `cgroup` mount inside the container: the container's own cgroups, not the host's tree.
// With a cgroup namespace the kernel scopes a fresh mount; without one the container's cgroup
// directories are bind-mounted. On v1 (and hybrid) each hierarchy gets a directory on a tmpfs.
import { mount, MS } from "../syscalls/mount.ts";

const NOT_CONTROLLERS = new Set([
  "rw",
  "ro",
  "clone_children",
  "noprefix",
  "xattr",
  "cpuset_v2_mode",
]);

interface Hierarchy {
  mountpoint: string;
  fstype: "cgroup" | "cgroup2";
  /** v1 controllers (or name=...) from the super options; empty for cgroup2. */
  controllers: string[];
}

function hierarchies(): Hierarchy[] {
  const out: Hierarchy[] = [];
  for (const line of Deno.readTextFileSync("/proc/self/mountinfo").split("\n")) {
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
    out.push({ mountpoint, fstype, controllers });
  }
  return out;
}

/** hierarchy key ("cpu,cpuacct", "name=systemd", "" for v2) → this process's cgroup path. */
function ownPaths(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of Deno.readTextFileSync("/proc/self/cgroup").trim().split("\n")) {
    const first = line.indexOf(":"), second = line.indexOf(":", first + 1);
    map.set(line.slice(first + 1, second).split(",").sort().join(","), line.slice(second + 1));
  }
  return map;
}

export function mountCgroups(target: string, flags: number, cgroupns: boolean): void {
  const all = hierarchies();
  const paths = ownPaths();
  const pure = all.length === 1 && all[0].fstype === "cgroup2";
  const bindOrMount = (h: Hierarchy, dest: string) => {
    if (cgroupns) {
      const data = h.fstype === "cgroup" ? h.controllers.join(",") : null;
      mount(h.fstype, dest, h.fstype, flags & ~MS.BIND, data);
      return;
    }
    const own = paths.get(h.controllers.slice().sort().join(",")) ?? "/";
    mount(`${h.mountpoint}${own === "/" ? "" : own}`, dest, null, MS.BIND | MS.REC, null);
    if (flags & MS.RDONLY) mount(null, dest, null, MS.BIND | MS.REMOUNT | (flags & ~MS.REC), null);
  };
  if (pure) return bindOrMount(all[0], target);
  mount("tmpfs", target, "tmpfs", flags & ~(MS.RDONLY | MS.BIND), "mode=755");
  for (const h of all) {
    const name = h.mountpoint.slice(h.mountpoint.lastIndexOf("/") + 1);
    Deno.mkdirSync(`${target}/${name}`, { recursive: true });
    bindOrMount(h, `${target}/${name}`);
  }
  if (flags & MS.RDONLY) {
    mount(null, target, null, MS.REMOUNT | MS.RDONLY | (flags & ~MS.REC), null);
  }
}
