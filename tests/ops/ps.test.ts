// ps: the container's processes as a bare JSON array of host pids, or as the host's ps table
// cut down to them.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { hasCommand, makeBundle, requireRoot, skipUnless, tsrun } from "../helpers/mod.ts";
import { initPid, until } from "./util.ts";

const ignore = requireRoot("ps on real containers");
const cmdline = (pid: number) => Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0")[0];

Deno.test(
  { name: "ps --format json: the host pids of every process, nothing else", ignore },
  async () => {
    const b = await makeBundle({ args: ["sh", "-c", "sleep 100 & sleep 101 & wait"] });
    const id = "ops-psjson";
    try {
      assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
      const pid = await initPid(id);
      const created = await tsrun(["ps", "--format", "json", id]);
      assertEquals([created.code, created.stdout, created.stderr], [0, `[${pid}]\n`, ""]);

      assertEquals((await tsrun(["start", id])).code, 0);
      const pids = await until(
        async () => JSON.parse((await tsrun(["ps", "-f", "json", id])).stdout) as number[],
        (p) => p.length === 3,
      );
      assertEquals(pids.length, 3);
      ok(pids.includes(pid));
      assertEquals(pids.map(cmdline).sort(), ["sh", "sleep", "sleep"]);

      assertEquals((await tsrun(["kill", id, "KILL"])).code, 0);
      const gone = await until(
        async () => (await tsrun(["ps", "--format=json", id])).stdout,
        (s) => s === "[]\n",
      );
      assertEquals(gone, "[]\n", "a stopped container has no processes");
    } finally {
      await tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "ps table: the host's ps header and the container's lines, with ps options after the id",
  ignore: ignore || skipUnless(hasCommand("ps"), "no ps on this host"),
}, async () => {
  const b = await makeBundle({ args: ["sh", "-c", "sleep 102 & wait"] });
  const id = "ops-pstable";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    await until(async () => (await tsrun(["ps", "-f", "json", id])).stdout, (s) => s.includes(","));
    const table = await tsrun(["ps", id]);
    assertEquals(table.code, 0, table.stderr);
    const [header, ...rows] = table.stdout.trimEnd().split("\n");
    match(header, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    assertEquals(rows.length, 2, table.stdout);
    // ps sorts by pid, and pids wrap around (pid_max is 32768 here): either order.
    match(rows.join("\n"), /sh -c sleep 102 & wait(\n|$)/);
    match(rows.join("\n"), /:\d\d sleep 102(\n|$)/);

    // Everything after the id goes to ps, dashes included.
    const custom = await tsrun(["ps", id, "-eo", "pid,comm"]);
    const pids = JSON.parse((await tsrun(["ps", "-f", "json", id])).stdout) as number[];
    assertEquals(
      custom.stdout.trimEnd().split("\n").map((l) => l.trim().split(/\s+/)),
      [["PID", "COMMAND"], ...pids.map((p) => [String(p), cmdline(p)])],
    );

    const noPid = await tsrun(["ps", id, "-o", "comm"]);
    assertEquals([noPid.code, noPid.stderr], [
      1,
      "tsrun: ps -o comm: its output has no PID column\n",
    ]);
    const bad = await tsrun(["ps", "--format", "yaml", id]);
    assertEquals([bad.code, bad.stderr], [
      1,
      'tsrun: invalid --format "yaml": expected table or json\n',
    ]);
    const unknown = await tsrun(["ps", "ops-nope"]);
    assertEquals([unknown.code, unknown.stderr], [
      1,
      "tsrun: container does not exist: ops-nope\n",
    ]);
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});
