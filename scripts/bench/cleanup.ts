// Leaves the host as the bench found it: deletes every container id it handed out, then checks
// that no container process, cgroup or mount survived (killing any process that did).
import { cgroupsMatching, mountsUnder } from "../../tests/helpers/leftovers.ts";
import { cmd, type Runtime } from "./runtimes.ts";
import { sh } from "./shell.ts";

/** Pid from each pid file in `dir` (written by create --pid-file) that is still running. */
async function survivors(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".pid")) continue;
    const pid = Number((await Deno.readTextFile(`${dir}/${e.name}`)).trim());
    try {
      // A zombie has exited; its parent (not us) has just not reaped it yet.
      const state = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1]?.[0];
      if (state !== "Z") pids.push(pid);
    } catch { /* gone */ }
  }
  return pids;
}

/**
 * Deletes everything; returns one line per leftover found (empty when clean). `hiddenUnified`
 * is the cgroup2 mount point the bench unmounted in its namespace, if any.
 */
export async function cleanup(
  runtimes: Runtime[],
  workDir: string,
  marker: string,
  hiddenUnified?: string,
): Promise<string[]> {
  for (const rt of runtimes) {
    for (const id of rt.ids) await sh(`${cmd(rt, "delete", "--force", id)} >/dev/null 2>&1`);
  }
  const problems: string[] = [];
  for (const pid of await survivors(workDir)) {
    problems.push(`container process ${pid} survived delete --force (killed now)`);
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* exited meanwhile */ }
  }
  for (const dir of cgroupsMatching(marker)) {
    // With the cgroup2 mount hidden, crun still makes its dirs (and a cgroup.procs) at
    // /sys/fs/cgroup/unified: that is the plain tmpfs underneath, not a cgroup, and ours to tidy.
    if (hiddenUnified && dir.startsWith(hiddenUnified + "/")) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    } else {
      problems.push(`cgroup left: ${dir}`);
    }
  }
  const mounts = mountsUnder(workDir);
  for (const m of mounts) problems.push(`mount left: ${m}`);
  if (mounts.length === 0) await Deno.remove(workDir, { recursive: true });
  return problems;
}
