// The cgroups an exec'd process joins: the container's, or sub-cgroups of it named by --cgroup
// ("path" for every hierarchy, "ctrl[,ctrl]:path" per v1 controller), joined before it runs.
import { join } from "../path.ts";
import type { CgroupManager } from "../cgroups/types.ts";
import { O_CLOEXEC, O_DIRECTORY, O_PATH, O_WRONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";
import { isDirectory } from "../../process/exists.ts";

/** --cgroup arguments as controller → sub-path; "" stands for every hierarchy. */
export function parseSubCgroups(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of args) {
    const colon = arg.indexOf(":");
    if (colon < 0) {
      if (args.length !== 1) {
        throw new RuntimeError(`--cgroup ${arg}: name its controller (<controller>:<path>)`);
      }
      out.set("", arg);
      continue;
    }
    for (const ctrl of arg.slice(0, colon).split(",")) {
      if (!ctrl) throw new RuntimeError(`--cgroup ${arg}: empty controller name`);
      if (out.has(ctrl)) throw new RuntimeError(`--cgroup: controller ${ctrl} given twice`);
      out.set(ctrl, arg.slice(colon + 1));
    }
  }
  return out;
}

/** How the spawn child gets in: "0" written to each procs fd, or clone3 into `intoFd` (v2). */
export interface CgroupJoin {
  procsFds: number[];
  intoFd?: number;
}

function below(dir: string, sub: string): string {
  const path = join(dir, sub);
  if (path !== dir && !path.startsWith(`${dir}/`)) {
    throw new RuntimeError(`--cgroup ${sub}: leaves the container's cgroup`);
  }
  return path;
}

function open(path: string, flags: number): number {
  try {
    return openFd(path, flags | O_CLOEXEC);
  } catch (e) {
    // The error names the path already.
    throw new RuntimeError(`join cgroup: ${(e as Error).message}`);
  }
}

export function openCgroupJoin(manager: CgroupManager, subs: Map<string, string>): CgroupJoin {
  const paths = manager.paths;
  for (const ctrl of subs.keys()) {
    if (ctrl !== "" && !Object.hasOwn(paths, ctrl)) {
      throw new RuntimeError(`--cgroup: unknown controller ${ctrl}`);
    }
  }
  if (manager.layout === "v2") {
    return {
      procsFds: [],
      intoFd: open(below(paths[""], subs.get("") ?? ""), O_PATH | O_DIRECTORY),
    };
  }
  const fds: number[] = [];
  try {
    for (const t of v1Targets(paths, subs)) fds.push(open(`${t}/cgroup.procs`, O_WRONLY));
  } catch (e) {
    fds.forEach(closeFd);
    throw e;
  }
  return { procsFds: fds };
}

/** The v1 directories to join (and the hybrid cgroup2 one when it exists). */
function v1Targets(paths: Record<string, string>, subs: Map<string, string>): string[] {
  // cpu and cpuacct are often one hierarchy under two names: join each directory once.
  const targets = new Map<string, string>();
  for (const [ctrl, dir] of Object.entries(paths)) {
    const target = below(dir, subs.get(ctrl) ?? subs.get("") ?? "");
    // The hybrid cgroup2 directory exists only when something needed it.
    if (ctrl === "" && target === dir && !isDirectory(dir)) continue;
    targets.set(isDirectory(target) ? Deno.realPathSync(target) : target, target);
  }
  return [...targets.values()];
}

/**
 * Moves `pid` into a v1 container cgroup from this process, off its thread: the first
 * cgroup.procs write after a quiet spell waits for an RCU grace period (~5-15 ms), which a
 * spawn child would spend before executing the init, on create's critical path. All writes are
 * issued at once: this thread is busy validating meanwhile, and would start each next one only
 * after that.
 */
export async function joinV1(manager: CgroupManager, pid: number): Promise<void> {
  await Promise.all(
    v1Targets(manager.paths, new Map()).map(async (t) => {
      const path = `${t}/cgroup.procs`;
      try {
        await Deno.writeTextFile(path, String(pid), { create: false });
      } catch (e) {
        throw new RuntimeError(`join cgroup: ${path}: ${(e as Error).message}`);
      }
    }),
  );
}

export function closeCgroupJoin(j: CgroupJoin): void {
  j.procsFds.forEach(closeFd);
  if (j.intoFd !== undefined) closeFd(j.intoFd);
}
