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

/**
 * How the spawn child gets in: "0" written to each v1 hierarchy's `tasks`, and clone3 into
 * `intoFd`, a cgroup2 directory (v2's, or the hybrid one beside v1's). The child is one thread:
 * `tasks` moves it whole. (On 6.18 the first attach after a quiet spell waits for an RCU grace
 * period, 4.5-7.5 ms measured, `tasks` or `cgroup.procs` alike; the ones right after ~0.1 ms.)
 */
export interface CgroupJoin {
  tasksFds: number[];
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
      tasksFds: [],
      intoFd: open(below(paths[""], subs.get("") ?? ""), O_PATH | O_DIRECTORY),
    };
  }
  const join: CgroupJoin = { tasksFds: [] };
  try {
    for (const [ctrl, t] of v1Targets(paths, subs)) {
      if (ctrl === "") join.intoFd = open(t, O_PATH | O_DIRECTORY);
      else join.tasksFds.push(open(`${t}/tasks`, O_WRONLY));
    }
  } catch (e) {
    closeCgroupJoin(join);
    throw e;
  }
  return join;
}

/** The v1 directories to join (and the hybrid cgroup2 one, "", when it exists), by controller. */
function v1Targets(paths: Record<string, string>, subs: Map<string, string>): [string, string][] {
  // cpu and cpuacct are often one hierarchy under two names: join each directory once.
  const targets = new Map<string, [string, string]>();
  for (const [ctrl, dir] of Object.entries(paths)) {
    const target = below(dir, subs.get(ctrl) ?? subs.get("") ?? "");
    // The hybrid cgroup2 directory exists only when something needed it.
    if (ctrl === "" && target === dir && !isDirectory(dir)) continue;
    targets.set(isDirectory(target) ? Deno.realPathSync(target) : target, [ctrl, target]);
  }
  return [...targets.values()];
}

/**
 * Moves `pid`, an init already running (many threads: cgroup.procs, not `tasks`), into a v1
 * container cgroup from this process, off its thread: such a write waits for an RCU grace
 * period after a quiet spell (~5-15 ms), which overlaps validation here. All writes are issued
 * at once: this thread is busy validating meanwhile, and would start each next one only after.
 * Each is an open and a write: Deno.writeTextFile would first load Deno's web streams code, ~3.5
 * ms of this thread (150 runs side by side).
 */
export async function joinV1(manager: CgroupManager, pid: number): Promise<void> {
  const data = new TextEncoder().encode(String(pid));
  await Promise.all(
    v1Targets(manager.paths, new Map()).map(async ([, t]) => {
      const path = `${t}/cgroup.procs`;
      try {
        const f = await Deno.open(path, { write: true });
        try {
          await f.write(data);
        } finally {
          f.close();
        }
      } catch (e) {
        throw new RuntimeError(`join cgroup: ${path}: ${(e as Error).message}`);
      }
    }),
  );
}

export function closeCgroupJoin(j: CgroupJoin): void {
  j.tasksFds.forEach(closeFd);
  if (j.intoFd !== undefined) closeFd(j.intoFd);
}
