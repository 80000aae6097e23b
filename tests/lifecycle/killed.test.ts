// Never stuck: a tsrun command SIGKILLed at any moment (as an engine kills one that timed out),
// or a state.json torn or garbage, still leaves a container that `delete --force` removes
// entirely — processes, cgroups in every hierarchy, mounts, state — and its id usable again.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  type Bundle,
  cgroupsMatching,
  makeBundle,
  mountsUnder,
  requireRoot,
  stateRoot,
  TSRUN,
  tsrun,
} from "../helpers/mod.ts";
import { addUserns } from "../config/util.ts";

const ignore = requireRoot("killing tsrun mid-command");

/**
 * `tsrun ARGS` in a session of its own (setsid: its children stay in it unless they leave),
 * SIGKILLed after `ms`. Returns the session id to look for survivors by.
 */
async function killedAfter(args: string[], ms: number): Promise<number> {
  const child = new Deno.Command("setsid", {
    args: [TSRUN, "--root", stateRoot(), ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((r) => setTimeout(r, ms));
  try {
    child.kill("SIGKILL");
  } catch { /* it had finished */ }
  await child.status;
  return child.pid;
}

/** Live (not zombie) processes of the given sessions. */
function sessionMembers(sids: number[]): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (f[0] !== "Z" && f[0] !== "X" && sids.includes(Number(f[3]))) out.push(stat.trim());
  }
  return out;
}

/** `delete --force` succeeds and leaves nothing; then the id can be created again. */
async function assertRemovable(b: Bundle, id: string, sids: number[], what: string) {
  const d = await tsrun(["delete", "--force", id]);
  assertEquals([d.code, d.stderr], [0, ""], `${what}: delete --force`);
  const left = {
    processes: sessionMembers(sids),
    cgroups: cgroupsMatching(id),
    mounts: mountsUnder(b.dir),
    state: [...Deno.readDirSync(stateRoot())].filter((e) => e.name === id).map((e) => e.name),
  };
  assertEquals(left, { processes: [], cgroups: [], mounts: [], state: [] }, what);
  const again = await tsrun(["create", "-b", b.dir, id]);
  assertEquals([again.code, again.stderr], [0, ""], `${what}: the id is usable again`);
  assertEquals((await tsrun(["delete", "--force", id])).code, 0);
  assertEquals(cgroupsMatching(id), [], `${what}: the second container is gone too`);
}

Deno.test(
  { name: "create killed at 0-200 ms leaves nothing delete --force misses", ignore },
  async () => {
    const b = await makeBundle({ args: ["sleep", "1000"] });
    const ns = await makeBundle({ args: ["sleep", "1000"], config: (c) => addUserns(c) });
    try {
      for (let ms = 0; ms <= 200; ms += 25) {
        const id = `killed-create-${ms}`;
        const sid = await killedAfter(["create", "-b", b.dir, id], ms);
        await assertRemovable(b, id, [sid], `create killed after ${ms} ms`);
      }
      // With a user namespace the init's spawn child waits for its maps: a killed create must
      // not leave it waiting.
      for (const ms of [40, 70, 100, 130, 160]) {
        const id = `killed-userns-${ms}`;
        const sid = await killedAfter(["create", "-b", ns.dir, id], ms);
        await assertRemovable(ns, id, [sid], `userns create killed after ${ms} ms`);
      }
    } finally {
      await b.cleanup();
      await ns.cleanup();
    }
  },
);

Deno.test(
  { name: "run, start, exec and delete killed midway: delete --force", ignore },
  async () => {
    const b = await makeBundle({ args: ["sleep", "1000"] });
    try {
      for (const ms of [60, 120, 250]) {
        const id = `killed-run-${ms}`;
        const sid = await killedAfter(["run", "-b", b.dir, id], ms);
        await assertRemovable(b, id, [sid], `run killed after ${ms} ms`);
      }
      for (const [cmd, ms] of [["start", 10], ["start", 40], ["exec", 30], ["exec", 80]] as const) {
        const id = `killed-${cmd}-${ms}`;
        const c = await tsrun(["create", "-b", b.dir, id]);
        assertEquals(c.code, 0, c.stderr);
        if (cmd === "exec") assertEquals((await tsrun(["start", id])).code, 0);
        const args = cmd === "exec" ? ["exec", id, "sleep", "999"] : ["start", id];
        const sid = await killedAfter(args, ms);
        await assertRemovable(b, id, [sid], `${cmd} killed after ${ms} ms`);
      }
      for (const ms of [20, 50, 80]) {
        const id = `killed-delete-${ms}`;
        assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
        assertEquals((await tsrun(["start", id])).code, 0);
        const sid = await killedAfter(["delete", "--force", id], ms);
        await assertRemovable(b, id, [sid], `delete killed after ${ms} ms`);
      }
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "a torn or garbage state.json: named by state and list, removed by delete --force",
  ignore,
}, async () => {
  const b = await makeBundle({ args: ["sleep", "1000"] });
  const healthy = "torn-healthy";
  assertEquals((await tsrun(["create", "-b", b.dir, healthy])).code, 0);
  try {
    const cases: [string, string, boolean][] = [
      ["empty", "", true],
      ["truncated", '{"ociVersion":"1.0.2","id":"torn', true],
      ["null", "null", true],
      ["wrong types", '{"id":"x","pid":"12"}', true],
      // Only the init's own cgroup membership is left to find the cgroup by.
      ["no cgroup record", "", false],
    ];
    for (const [what, text, keepRecord] of cases) {
      const id = `torn-${what.replaceAll(" ", "-")}`;
      assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
      assertEquals((await tsrun(["start", id])).code, 0);
      const pid = JSON.parse((await tsrun(["state", id])).stdout).pid;
      const dir = join(stateRoot(), id);
      const stateFile = join(dir, "state.json");
      if (keepRecord) {
        Deno.writeTextFileSync(stateFile, text);
      } else {
        const s = JSON.parse(Deno.readTextFileSync(stateFile));
        Deno.writeTextFileSync(stateFile, JSON.stringify({ ...s, cgroup: "garbage", config: 1 }));
        Deno.removeSync(join(dir, "cgroup.json"));
      }
      for (const args of [["state", id], ["kill", id], ["delete", id]]) {
        const r = await tsrun(args);
        assertEquals(r.code, 1, `${what}: ${args[0]}`);
        match(r.stderr, new RegExp(`^tsrun: container ${id}: .*delete --force ${id}.*\\n$`));
      }
      const list = await tsrun(["list", "-q"]);
      assertEquals([list.code, list.stdout], [0, `${healthy}\n`], `${what}: list`);
      match(list.stderr, new RegExp(`^tsrun: warning: container ${id}: `));
      // An engine parses JSON list output with stderr: the warning is not there.
      const json = await tsrun(["list", "--format", "json"]);
      assertEquals(json.code, 0, `${what}: list --format json`);
      assertEquals([JSON.parse(json.stdout).map((c: { id: string }) => c.id), json.stderr], [
        [healthy],
        "",
      ]);
      ok(alive(pid), `${what}: still running before delete`);
      const d = await tsrun(["delete", "--force", id]);
      assertEquals([d.code, d.stderr], [0, ""], `${what}: delete --force`);
      ok(!alive(pid), `${what}: the container's process was killed`);
      assertEquals(cgroupsMatching(id), [], `${what}: cgroups`);
      assertEquals(mountsUnder(b.dir), [], `${what}: mounts`);
      assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0, `${what}: id reusable`);
      assertEquals((await tsrun(["delete", "--force", id])).code, 0);
    }
  } finally {
    await tsrun(["delete", "--force", healthy]);
    await b.cleanup();
  }
});

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}
