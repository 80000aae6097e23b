// kill --all signals every process in the container's cgroup. Podman runs containers with
// `--pid host` (no pid namespace of their own) and stops them with `kill --all`: there the
// init's death does not end the other processes, so --all and delete must reach them.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { assertNothingLeft, type Config, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { alive, status, until } from "./util.ts";

const ignore = requireRoot("kill --all on real containers");

const hostPid = (c: Config) => {
  c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== "pid");
};

/** The container's pids once there are `n` of them. */
async function pidsOf(id: string, n: number): Promise<number[]> {
  const pids = await until(
    async () => JSON.parse((await tsrun(["ps", "-f", "json", id])).stdout) as number[],
    (p) => p.length === n,
  );
  assertEquals(pids.length, n, `${id}: ${n} processes`);
  return pids;
}

const cmdline = (pid: number) =>
  Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");

Deno.test({
  name: "--pid host: kill --all reaches every process, also after the init died",
  ignore,
}, async () => {
  // One child ignores SIGTERM, so it outlives the init.
  const b = await makeBundle({
    args: ["sh", "-c", "(trap '' TERM; exec sleep 100) & sleep 101 & wait"],
    config: hostPid,
  });
  const id = "ops-killall-host";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    const pids = await pidsOf(id, 3);
    const stubborn = pids.find((p) => cmdline(p).startsWith("sleep 100"))!;

    const term = await tsrun(["kill", "--all", id, "15"]);
    assertEquals([term.code, term.stderr], [0, ""]);
    assertEquals(await until(() => status(id), (s) => s === "stopped"), "stopped");
    assertEquals(await pidsOf(id, 1), [stubborn], "only the process ignoring SIGTERM is left");

    const plain = await tsrun(["kill", id, "9"]);
    assertEquals([plain.code, plain.stderr], [1, "tsrun: container not running\n"]);
    const kill = await tsrun(["kill", "--all", id, "9"]);
    assertEquals([kill.code, kill.stderr], [0, ""]);
    assertEquals(await until(() => alive(stubborn), (a) => !a), false);
    assertEquals(await pidsOf(id, 0), []);

    assertEquals((await tsrun(["delete", id])).code, 0);
    assertNothingLeft({ path: b.dir, marker: id });
    const gone = await tsrun(["kill", "--all", id, "9"]);
    assertEquals([gone.code, gone.stderr], [1, `tsrun: container does not exist: ${id}\n`]);
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

Deno.test(
  { name: "--pid host: delete of a stopped container kills what its init left", ignore },
  async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "sleep 102 & sleep 103 & wait"],
      config: hostPid,
    });
    const id = "ops-killall-orphans";
    try {
      assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
      const pids = await pidsOf(id, 3);
      const init = JSON.parse((await tsrun(["state", id])).stdout).pid;
      assertEquals((await tsrun(["kill", id, "KILL"])).code, 0, "the init alone");
      assertEquals(await until(() => status(id), (s) => s === "stopped"), "stopped");
      const orphans = pids.filter((p) => p !== init);
      ok(orphans.every(alive), "its children live on");

      const del = await tsrun(["delete", id]);
      assertEquals([del.code, del.stderr], [0, ""]);
      assertEquals(await until(() => orphans.some(alive), (a) => !a), false);
      assertNothingLeft({ path: b.dir, marker: id });
    } finally {
      await tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({ name: "kill --all in a container with its own pid namespace", ignore }, async () => {
  const b = await makeBundle({ args: ["sh", "-c", "sleep 104 & sleep 105 & wait"] });
  const id = "ops-killall-ns";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    const pids = await pidsOf(id, 3);
    // The namespace's init ignores SIGTERM (no handler); its children do not, and once they
    // are gone its `wait` returns and it exits too.
    assertEquals((await tsrun(["kill", "--all", id, "TERM"])).code, 0);
    assertEquals(await until(() => pids.some(alive), (a) => !a), false);
    assertEquals(await status(id), "stopped");
    const again = await tsrun(["kill", "--all", id, "TERM"]);
    assertEquals([again.code, again.stderr], [0, ""], "an empty cgroup: nothing to do");
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});
