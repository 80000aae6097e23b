// runtime.json as a list of steps (data, unit-tested without root), in LinuxKit's order: mounts,
// mkdir and cgroups before the container's namespaces exist (in tsrun's own mount namespace),
// then interfaces and bindNS once its init exists. execute.ts runs them.
import type { RuntimeJson } from "../../specs/linuxkit.ts";
import { BIND_NS_TYPES, type BindNsType, linkKind } from "../../specs/runtime-json-file.ts";
import { parseMountOptions } from "../../init/mount-options.ts";
import { MS } from "../../syscalls/mount.ts";
import { join, normalize } from "../path.ts";

/** A host path, or with `root` a path inside the rootfs (resolved there, symlinks included). */
export interface Place {
  path: string;
  root?: string;
}

export type Step =
  & { field: string }
  & (
    | {
      do: "mount";
      source: string;
      target: Place;
      type: string;
      flags: number;
      data: string;
      /** upperdir=/workdir= directories, created first. */
      dirs: string[];
      /** False for a remount or a propagation change: nothing to unmount afterwards. */
      makesMount: boolean;
    }
    | { do: "mkdir"; dir: Place }
    | { do: "cgroup"; dirs: string[] }
    /** Made in the root namespace then moved in (`inRoot`), or made in the container's. */
    | { do: "add-link"; name: string; kind: string; peer?: string; inRoot: boolean }
    | { do: "move-link"; name: string }
    | { do: "bind-ns"; ns: BindNsType; path: string }
  );

export interface RuntimePlan {
  /** Before the init is spawned. */
  before: Step[];
  /** Once the init exists, before create returns. */
  after: Step[];
}

export interface PlanContext {
  /** Where relative destinations and mkdir paths live: BUNDLE/rootfs, as in LinuxKit. */
  rootfs: string;
  /** Every cgroup hierarchy a runtime.json cgroup is made in (all v1 ones, or the v2 root). */
  cgroupRoots: string[];
}

const PROPAGATION = MS.SHARED | MS.PRIVATE | MS.SLAVE | MS.UNBINDABLE;

function place(path: string, rootfs: string): Place {
  return path.startsWith("/")
    ? { path: normalize(path) }
    : { path: normalize(`/${path}`), root: rootfs };
}

/** One mount(2): LinuxKit passes every flag word (propagation too) in one call. */
function mountStep(m: NonNullable<RuntimeJson["mounts"]>[number], i: number, rootfs: string): Step {
  const o = parseMountOptions(m.options);
  const flags = o.propagation.reduce((f, p) => f | p, o.flags);
  const dirs = (m.options ?? []).flatMap((opt) => {
    const dir = /^(?:upperdir|workdir)=(.*)$/.exec(opt);
    return dir ? [normalize(dir[1])] : [];
  });
  // The kernel makes a new mount unless asked to remount, or only to change propagation.
  const makesMount = !(flags & MS.REMOUNT) && (!!(flags & MS.BIND) || !(flags & PROPAGATION));
  return {
    field: `/mounts/${i}`,
    do: "mount",
    source: m.source ?? "",
    target: place(m.destination, rootfs),
    type: m.type ?? "",
    flags,
    data: o.data,
    dirs,
    makesMount,
  };
}

export function planRuntime(r: RuntimeJson, ctx: PlanContext): RuntimePlan {
  const before: Step[] = [
    ...(r.mounts ?? []).map((m, i) => mountStep(m, i, ctx.rootfs)),
    ...(r.mkdir ?? []).map((d, i): Step => ({
      field: `/mkdir/${i}`,
      do: "mkdir",
      dir: place(d, ctx.rootfs),
    })),
    ...(r.cgroups ?? []).map((c, i): Step => ({
      field: `/cgroups/${i}`,
      do: "cgroup",
      dirs: ctx.cgroupRoots.map((root) => join(root, normalize(`/${c}`))),
    })),
  ];
  const after: Step[] = (r.interfaces ?? []).map((iface, i): Step => {
    const field = `/interfaces/${i}`;
    const kind = linkKind(iface);
    if (!kind) return { field, do: "move-link", name: iface.name! };
    const inRoot = kind === "veth" || iface.createInRoot === true;
    return { field, do: "add-link", name: iface.name!, kind, peer: iface.peer, inRoot };
  });
  for (const ns of BIND_NS_TYPES) {
    const path = r.bindNS?.[ns];
    if (path) after.push({ field: `/bindNS/${ns}`, do: "bind-ns", ns, path: normalize(path) });
  }
  return { before, after };
}
