// What the exec tests share: a running busybox container, and reading its init from the host.
import { type BundleOptions, makeBundle, tsrun } from "../helpers/mod.ts";

export interface Running {
  id: string;
  /** The init's host pid. */
  pid: number;
  rootfs: string;
  dir: string;
  /** delete -f, then removes the bundle. */
  remove(): Promise<void>;
}

/** `run -d` of a container whose init sleeps (pid 1 in its pid namespace). */
export async function runningContainer(id: string, opts: BundleOptions = {}): Promise<Running> {
  const b = await makeBundle({ args: ["sleep", "600"], ...opts });
  const remove = async () => {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  };
  const r = await tsrun(["run", "-d", "--pid-file", `${b.dir}/pid`, "-b", b.dir, id]);
  if (r.code !== 0) {
    await remove();
    throw new Error(`run -d ${id}: ${r.stderr}`);
  }
  const pid = Number(Deno.readTextFileSync(`${b.dir}/pid`));
  return { id, pid, rootfs: b.rootfs, dir: b.dir, remove };
}

/** `tsrun exec [flags] ID CMD...` */
export function exec(id: string, cmd: string[], flags: string[] = [], stdin?: string) {
  return tsrun(["exec", ...flags, id, ...cmd], { stdin });
}

/** A line of /proc/<pid>/status ("Uid", "CapEff"...), whitespace-collapsed. */
export function statusField(status: string, name: string): string | undefined {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, "m").exec(status)?.[1].trim().replace(/\s+/g, " ");
}

/** Pids in the cgroup `pid` is in: in `controller`'s v1 hierarchy, else in the cgroup2 one. */
export function cgroupMembers(pid: number, controller = "pids"): number[] {
  const lines = Deno.readTextFileSync(`/proc/${pid}/cgroup`).trim().split("\n");
  const v1 = lines.find((l) => l.split(":")[1] === controller);
  const path = v1
    ? `/sys/fs/cgroup/${controller}${v1.split(":")[2]}`
    : `${unifiedMount()}${lines.find((l) => l.startsWith("0::"))!.slice(3)}`;
  return Deno.readTextFileSync(`${path}/cgroup.procs`).trim().split("\n").filter(Boolean)
    .map(Number);
}

function unifiedMount(): string {
  try {
    Deno.statSync("/sys/fs/cgroup/unified/cgroup.procs");
    return "/sys/fs/cgroup/unified";
  } catch {
    return "/sys/fs/cgroup";
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
