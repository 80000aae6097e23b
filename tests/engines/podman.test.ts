// tsrun driven by podman 4 + conmon, as a user would: `podman --runtime tsrun run ...`. Every
// test ends with the container removed and checks that nothing of it is left on the host.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { skipUnless, TSRUN } from "../helpers/mod.ts";
import { defaultStateRoot } from "../../runtime/state/root.ts";
import { command, eventually } from "./command.ts";
import { assertNoLeftovers, assertPresent, type Traces } from "./leftovers.ts";
import { IMAGE, type Podman, podmanMissing, setupPodman } from "./podman.ts";

/** podman passes no --root (§1.2): tsrun keeps its state in its default root. */
const TSRUN_ROOT = defaultStateRoot();

let podman: Podman | undefined;
let why = podmanMissing();
if (!why) {
  try {
    podman = await setupPodman();
  } catch (e) {
    why = `podman cannot run here: ${(e as Error).message}`;
  }
}
const ignore = skipUnless(podman !== undefined, why ?? "");
const hasExec = !ignore && (await command([TSRUN, "exec", "--help"])).code === 0;
const ignoreExec = ignore || skipUnless(hasExec, "tsrun has no exec command yet");

function pm(): Podman {
  if (!podman) throw new Error("podman is not set up");
  return podman;
}

let serial = 0;
/**
 * A name unique to one container, also put in its command line to find its processes; no name
 * is a substring of another (c1-… is not in c11-…).
 */
function uniqueName(): string {
  return `c${++serial}-tsrun-engine-${Deno.pid}`;
}

async function inspect(name: string, field: string): Promise<string> {
  const r = await pm().run(["inspect", "--format", `{{${field}}}`, name]);
  assertEquals(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function logs(name: string): Promise<string> {
  return (await pm().run(["logs", name])).stdout;
}

/**
 * `podman run -d` of a shell script that prints "ready" once `setup` ran (a pid-namespace init
 * ignores signals it has no handler for: traps must be in place before a test signals it).
 */
async function detached(name: string, setup: string): Promise<string> {
  const script = `${setup}\necho ready\nwhile :; do sleep 0.1; done\n: ${name}`;
  const r = await pm().run(["run", "-d", "--name", name, IMAGE, "sh", "-c", script]);
  assertEquals(r.code, 0, r.stderr);
  ok(await eventually(async () => (await logs(name)).includes("ready\n")), "never got ready");
  const id = r.stdout.trim();
  assertPresent(traces(name, id));
  return id;
}

/** Where container `id` (named `name`) leaves traces: tsrun's state, cgroups, processes. */
function traces(name: string, id: string): Traces {
  return { stateDir: join(TSRUN_ROOT, id), cgroup: id, processes: [id, name] };
}

/** Nothing of container `id` (named `name`) left in podman, tsrun's state, cgroups, processes. */
async function assertGone(name: string, id: string): Promise<void> {
  const ps = await pm().run(["ps", "--all", "--quiet", "--no-trunc"]);
  assertEquals(ps.code, 0, ps.stderr);
  ok(!ps.stdout.includes(id), `podman still lists ${name}`);
  await assertNoLeftovers(traces(name, id));
}

async function rm(name: string, ...flags: string[]): Promise<void> {
  const r = await pm().run(["rm", ...flags, name]);
  assertEquals(r.code, 0, r.stderr);
}

Deno.test({ name: "podman run --rm: output, exit 0, nothing left", ignore }, async () => {
  const name = uniqueName();
  const cidfile = join(pm().dir, `${name}.cid`);
  const r = await pm().run([
    ...["run", "--rm", "--cidfile", cidfile, "--name", name],
    ...[IMAGE, "sh", "-c", `echo hi; : ${name}`],
  ]);
  assertEquals([r.code, r.stdout], [0, "hi\n"], r.stderr);
  await assertGone(name, Deno.readTextFileSync(cidfile).trim());
});

Deno.test({ name: "podman run: the container's exit code is podman's", ignore }, async () => {
  const name = uniqueName();
  const r = await pm().run(["run", "--name", name, IMAGE, "sh", "-c", `exit 3; : ${name}`]);
  assertEquals(r.code, 3, r.stderr);
  assertEquals(await inspect(name, ".State.ExitCode"), "3");
  const id = await inspect(name, ".Id");
  await rm(name);
  await assertGone(name, id);
});

for (const jsonLog of [false, true]) {
  const how = jsonLog ? "the JSON log file" : "stderr";
  Deno.test(
    { name: `podman run of a missing executable: 127 (error via ${how})`, ignore },
    async () => {
      const name = uniqueName();
      const r = await pm().run(["run", "--name", name, IMAGE, "/nonexistent", name], { jsonLog });
      assertEquals(r.code, 127, r.stderr);
      match(r.stderr, /exec: "\/nonexistent": stat \/nonexistent: no such file or directory/);
      // Read from the log file, podman quotes the message alone; from stderr, as tsrun printed it.
      match(r.stderr, jsonLog ? /tsrun: unable to start/ : /tsrun: tsrun: unable to start/);
      const id = await inspect(name, ".Id");
      await rm(name);
      await assertGone(name, id);
    },
  );
}

Deno.test({ name: "podman run -d, stop, rm", ignore }, async () => {
  const name = uniqueName();
  const id = await detached(name, `trap 'exit 0' TERM`);
  assertEquals(await inspect(name, ".State.Status"), "running");
  const t0 = Date.now();
  const stop = await pm().run(["stop", "--time", "20", name]);
  assertEquals(stop.code, 0, stop.stderr);
  ok(Date.now() - t0 < 10_000, "stop waited for its timeout: SIGTERM did not reach the trap");
  assertEquals(await inspect(name, ".State.Status"), "exited");
  assertEquals(await inspect(name, ".State.ExitCode"), "0");
  await rm(name);
  await assertGone(name, id);
});

Deno.test({ name: "podman exec: output, exit code, -t", ignore: ignoreExec }, async () => {
  const name = uniqueName();
  const id = await detached(name, ":");
  const hi = await pm().run(["exec", name, "sh", "-c", "echo exec-hi; echo err >&2"]);
  assertEquals([hi.code, hi.stdout, hi.stderr], [0, "exec-hi\n", "err\n"]);
  assertEquals((await pm().run(["exec", name, "sh", "-c", "exit 5"])).code, 5);
  const tty = await pm().run(["exec", "-t", name, "tty"]);
  assertEquals(tty.code, 0, tty.stderr);
  match(tty.stdout, /^\/dev\/pts\/\d+\r?\n$/);
  await rm(name, "--force", "--time", "0");
  await assertGone(name, id);
});

Deno.test({ name: "podman pause / unpause freeze and thaw the container", ignore }, async () => {
  const name = uniqueName();
  const id = await detached(name, `trap 'exit 0' TERM`);
  const freezer = `/sys/fs/cgroup/freezer/libpod_parent/libpod-${id}/freezer.state`;
  assertEquals((await pm().run(["pause", name])).code, 0);
  assertEquals(await inspect(name, ".State.Status"), "paused");
  assertEquals(Deno.readTextFileSync(freezer).trim(), "FROZEN");
  assertEquals((await pm().run(["unpause", name])).code, 0);
  assertEquals(await inspect(name, ".State.Status"), "running");
  assertEquals(Deno.readTextFileSync(freezer).trim(), "THAWED");
  assertEquals((await pm().run(["stop", name])).code, 0);
  await rm(name);
  await assertGone(name, id);
});

Deno.test({ name: "podman kill -s USR1 reaches the container's handler", ignore }, async () => {
  const name = uniqueName();
  const id = await detached(name, `trap 'echo got-usr1' USR1; trap 'exit 0' TERM`);
  const kill = await pm().run(["kill", "--signal", "USR1", name]);
  assertEquals(kill.code, 0, kill.stderr);
  ok(await eventually(async () => (await logs(name)).includes("got-usr1\n")), "no got-usr1");
  assertEquals(await inspect(name, ".State.Status"), "running");
  assertEquals((await pm().run(["stop", name])).code, 0);
  await rm(name);
  await assertGone(name, id);
});

Deno.test({ name: "podman run -t: a terminal through the console socket", ignore }, async () => {
  const name = uniqueName();
  const r = await pm().run([
    "run",
    "-t",
    "--name",
    name,
    IMAGE,
    "sh",
    "-c",
    `tty; exit 4; : ${name}`,
  ]);
  assertEquals(r.code, 4, r.stderr);
  match(r.stdout, /^\/dev\/pts\/0\r?\n$/);
  const id = await inspect(name, ".Id");
  await rm(name);
  await assertGone(name, id);
});

Deno.test({ name: "podman top lists the container's processes", ignore }, async () => {
  const name = uniqueName();
  const id = await detached(name, `sleep 1000 &`);
  const top = await pm().run(["top", name, "pid", "args"]);
  assertEquals(top.code, 0, top.stderr);
  const rows = top.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/));
  assertEquals(rows[0], ["PID", "COMMAND"]);
  ok(rows.some((r) => r[0] === "1" && r.slice(1, 3).join(" ") === "sh -c"), top.stdout);
  ok(rows.some((r) => r.slice(1).join(" ") === "sleep 1000"), top.stdout);
  await rm(name, "--force", "--time", "0");
  await assertGone(name, id);
});

Deno.test({ name: "podman: remove the private storage", ignore }, async () => {
  await pm().cleanup();
});
