// A container created from one cgroup is paused, resumed and deleted from another, as engines
// do: its relative cgroupsPath must not be resolved again against the later caller's cgroup.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { detect } from "../../runtime/cgroups/detect.ts";
import { parseProcCgroup } from "../../runtime/cgroups/path.ts";
import { sleepMs } from "../../runtime/cgroups/files.ts";
import { assertNothingLeft, makeBundle, requireRoot, stateRoot, TSRUN } from "../helpers/mod.ts";
import { initPid, status } from "./util.ts";

const ignore = requireRoot("moving processes between cgroups");

/** Sibling cgroups below this process's own cgroup in every hierarchy (cpusets filled in, or
 * they could take no process). */
function makeCgroups(name: string): string[] {
  const host = detect();
  const own = parseProcCgroup(Deno.readTextFileSync("/proc/self/cgroup"));
  const hierarchies = [...host.v1, ...(host.unified ? [host.unified] : [])];
  return hierarchies.map((h) => {
    const mine = own.get(h.controllers[0] ?? "") ?? "/";
    const dir = `${h.mountpoint}${mine === "/" ? "" : mine}/${name}`;
    Deno.mkdirSync(dir);
    if (h.controllers.includes("cpuset")) {
      for (const f of ["cpuset.cpus", "cpuset.mems"]) {
        Deno.writeTextFileSync(`${dir}/${f}`, Deno.readTextFileSync(`${dir}/../${f}`).trim());
      }
    }
    return dir;
  });
}

/** Removes the test's cgroups, first killing and removing a container left in them by a
 * failed delete, so a failure does not leave them behind. */
function removeCgroups(dirs: string[], id: string): void {
  for (const d of dirs) {
    try {
      for (const pid of Deno.readTextFileSync(`${d}/${id}/cgroup.procs`).split("\n")) {
        if (pid) Deno.kill(Number(pid), "SIGKILL");
      }
    } catch { /* no container left there */ }
  }
  for (const d of dirs) {
    for (const dir of [`${d}/${id}`, d]) {
      for (let i = 0; i < 50; i++) {
        try {
          Deno.removeSync(dir);
          break;
        } catch (e) {
          if (e instanceof Deno.errors.NotFound) break;
          sleepMs(20); // dying tasks
        }
      }
    }
  }
}

/** `tsrun ARGS` run by a shell that first moves itself into `cgroups`. */
async function tsrunIn(cgroups: string[], args: string[]): Promise<{ code: number; out: string }> {
  const log = await Deno.makeTempFile({ prefix: "tsrun-out-" });
  try {
    const { code } = await new Deno.Command("/bin/sh", {
      args: [
        "-c",
        'log=$1; shift; for d in $CGROUPS; do echo $$ > "$d/cgroup.procs" || exit 99; done; ' +
        'exec "$@" >"$log" 2>&1',
        "sh",
        log,
        TSRUN,
        "--root",
        stateRoot(),
        ...args,
      ],
      env: { CGROUPS: cgroups.join(" ") },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return { code, out: await Deno.readTextFile(log) };
  } finally {
    await Deno.remove(log);
  }
}

Deno.test(
  { name: "pause, resume and delete from another cgroup than create's", ignore },
  async () => {
    const tag = `tsrun-xcg-${Deno.pid}`;
    const id = "ops-xcg";
    const b = await makeBundle({ args: ["sleep", "60"] });
    const made: string[] = [];
    try {
      const a = makeCgroups(`${tag}-a`);
      made.push(...a);
      const other = makeCgroups(`${tag}-b`);
      made.push(...other);

      assertEquals(await tsrunIn(a, ["run", "-d", "-b", b.dir, id]), { code: 0, out: "" });
      const pid = await initPid(id);
      const where = Deno.readTextFileSync(`/proc/${pid}/cgroup`).trim().split("\n");
      ok(where.every((l) => l.endsWith(`/${tag}-a/${id}`)), `init under a: ${where}`);

      assertEquals(await tsrunIn(other, ["pause", id]), { code: 0, out: "" });
      assertEquals(await status(id), "paused");
      assertEquals(await tsrunIn(other, ["resume", id]), { code: 0, out: "" });
      assertEquals(await status(id), "running");
      assertEquals(await tsrunIn(other, ["delete", "--force", id]), { code: 0, out: "" });
      assertNothingLeft({ marker: id });
    } finally {
      await tsrunIn([], ["delete", "--force", id]);
      removeCgroups(made, id);
      await b.cleanup();
    }
  },
);
