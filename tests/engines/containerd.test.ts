// tsrun driven by containerd 1.6 through its runc v2 shim, as `ctr run --runc-binary tsrun`.
// Every test ends with the container removed and checks that nothing of it is left on the host.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { buildRootfs, hasCommand, skipUnless, TSRUN } from "../helpers/mod.ts";
import { command, eventually } from "./command.ts";
import { busyboxImageArchive } from "./oci-image.ts";
import { type Containerd, containerdMissing, startContainerd } from "./containerd.ts";
import { assertNoLeftovers, assertPresent, type Traces } from "./leftovers.ts";
import { exists } from "../../process/exists.ts";

const NAMESPACE = `tsrun-test-${Deno.pid}`;

let containerd: Containerd | undefined;
let why = containerdMissing();
if (!why) {
  try {
    containerd = await startContainerd(NAMESPACE);
  } catch (e) {
    why = `containerd cannot run here: ${(e as Error).message}`;
  }
}
const ignore = skipUnless(containerd !== undefined, why ?? "");
const hasExec = !ignore && (await command([TSRUN, "exec", "--help"])).code === 0;
const ignoreExec = ignore || skipUnless(hasExec, "tsrun has no exec command yet");
const ignoreTty = ignore || skipUnless(hasCommand("script"), "no script(1) to give ctr a tty");

function ctd(): Containerd {
  if (!containerd) throw new Error("containerd is not running");
  return containerd;
}

let serial = 0;
/**
 * A container id unique on this host, also put in its command line to find its processes; no
 * id is a substring of another (c1-… is not in c11-…).
 */
function uniqueId(): string {
  return `c${++serial}-${NAMESPACE}`;
}

/** A fresh busybox rootfs for `id` (ctr run --rootfs uses the directory as it is). */
function rootfs(id: string): string {
  const dir = join(ctd().dir, "rootfs", id);
  buildRootfs(dir);
  return dir;
}

/** `ctr task ls` as id → [pid, status]. */
async function tasks(): Promise<Map<string, [number, string]>> {
  const r = await ctd().ctr(["task", "ls"]);
  assertEquals(r.code, 0, r.stderr);
  return new Map(
    r.stdout.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/))
      .map(([id, pid, status]) => [id, [Number(pid), status]]),
  );
}

async function taskStatus(id: string): Promise<string | undefined> {
  return (await tasks()).get(id)?.[1];
}

async function ctrOk(args: string[]): Promise<string> {
  const r = await ctd().ctr(args);
  assertEquals(r.code, 0, `ctr ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** Where container `id` leaves traces: tsrun's state, cgroups, its processes and shim. */
function traces(id: string): Traces {
  return { stateDir: join(ctd().runtimeRoot, id), cgroup: `${NAMESPACE}/${id}`, processes: [id] };
}

/** Nothing of container `id` left: in containerd, tsrun's state, cgroups, processes. */
async function assertGone(id: string): Promise<void> {
  const ls = await ctrOk(["container", "ls", "--quiet"]);
  ok(!ls.split("\n").includes(id), `containerd still lists ${id}`);
  await assertNoLeftovers(traces(id));
}

/**
 * A detached task running a shell script that creates /tmp/ready in its rootfs once `setup`
 * ran (a pid-namespace init ignores signals it has no handler for), then idles.
 */
async function detached(setup: string): Promise<{ id: string; root: string }> {
  const id = uniqueId();
  const root = rootfs(id);
  const script = `${setup}\n: > /tmp/ready\nwhile :; do sleep 0.1; done\n: ${id}`;
  const r = await ctd().run(["--detach"], root, id, ["/bin/sh", "-c", script]);
  assertEquals(r.code, 0, r.stderr);
  ok(await eventually(() => exists(`${root}/tmp/ready`)), "the task never got ready");
  assertPresent(traces(id));
  return { id, root };
}

/** POSIX shell quoting, for the command line script(1) runs. */
function quote(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** `argv` with its stdin, stdout and stderr on a new terminal (ctr -t needs one). */
function onTerminal(argv: string[]) {
  return command(["script", "--quiet", "--return", "--command", quote(argv), "/dev/null"]);
}

Deno.test({ name: "ctr run --rm: output and exit codes, nothing left", ignore }, async () => {
  const hi = uniqueId();
  const r = await ctd().run(["--rm"], rootfs(hi), hi, ["/bin/sh", "-c", `echo hi; : ${hi}`]);
  assertEquals([r.code, r.stdout], [0, "hi\n"], r.stderr);
  await assertGone(hi);
  const three = uniqueId();
  const e = await ctd().run(["--rm"], rootfs(three), three, ["/bin/sh", "-c", `exit 3; :${three}`]);
  assertEquals(e.code, 3, e.stderr);
  await assertGone(three);
});

Deno.test({ name: "ctr run --uidmap: a user-namespaced container", ignore }, async () => {
  const id = uniqueId();
  // ctr applies --uidmap to images only (a remapped snapshot), so the test rootfs goes in as one.
  const image = `docker.io/library/tsrun-test-${NAMESPACE}:latest`;
  const dir = join(ctd().dir, "image");
  Deno.mkdirSync(dir);
  await ctrOk(["image", "import", await busyboxImageArchive(dir, image)]);
  // containerd keeps the runtime root under a 0700 /run/containerd: the init must not need it.
  const r = await ctd().ctr([
    ...["run", "--rm", "--runc-binary", TSRUN],
    ...["--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", image, id],
    ...["/bin/sh", "-c", `cat /proc/self/uid_map /proc/self/gid_map; : ${id}`],
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.split(/\s+/).filter(Boolean), "0 100000 65536 0 100000 65536".split(" "));
  // ctr passed the mapping as task options, so the shim ran "runc": the wrapper, i.e. tsrun.
  match(ctd().runcCalls(), new RegExp(`create .*${id}`));
  await assertGone(id);
  await ctrOk(["image", "rm", "--sync", image]);
});

Deno.test({ name: "ctr run of a missing executable: the runtime's error", ignore }, async () => {
  const id = uniqueId();
  const r = await ctd().run(["--rm"], rootfs(id), id, ["/nonexistent"]);
  assertEquals(r.code, 1);
  // From tsrun's JSON log (§2.3): the shim quotes its last error line.
  match(
    r.stderr,
    /OCI runtime create failed: .*exec: "\/nonexistent": stat \/nonexistent: no such file or directory/,
  );
  await assertGone(id);
});

Deno.test({ name: "ctr task: ps, pause/resume, kill, delete", ignore }, async () => {
  const { id, root } = await detached(
    `trap ': > /tmp/usr1' USR1; trap 'exit 7' TERM; sleep 1000 &`,
  );
  const [pid, status] = (await tasks()).get(id)!;
  assertEquals(status, "RUNNING");
  // ps --format json: the host pids of the init and its sleep.
  const ps = (await ctrOk(["task", "ps", id])).trim().split("\n").slice(1)
    .map((l) => Number(l.trim().split(/\s+/)[0]));
  ok(ps.includes(pid), `task ps ${ps} lacks the init ${pid}`);
  ok(ps.length >= 2, `task ps ${ps} lacks the sleep`);

  const freezer = `/sys/fs/cgroup/freezer/${NAMESPACE}/${id}/freezer.state`;
  await ctrOk(["task", "pause", id]);
  assertEquals([await taskStatus(id), Deno.readTextFileSync(freezer).trim()], ["PAUSED", "FROZEN"]);
  await ctrOk(["task", "resume", id]);
  assertEquals([await taskStatus(id), Deno.readTextFileSync(freezer).trim()], [
    "RUNNING",
    "THAWED",
  ]);

  await ctrOk(["task", "kill", "--signal", "USR1", id]);
  ok(await eventually(() => exists(`${root}/tmp/usr1`)), "USR1 did not reach the trap");
  assertEquals(await taskStatus(id), "RUNNING");
  await ctrOk(["task", "kill", id]);
  ok(await eventually(async () => (await taskStatus(id)) === "STOPPED"), "TERM did not stop it");
  const deleted = await ctd().ctr(["task", "delete", id]);
  assertEquals(deleted.code, 0, deleted.stderr);
  match(deleted.stderr, /exit code 7/);
  await ctrOk(["container", "rm", id]);
  await assertGone(id);
});

Deno.test({ name: "ctr task exec: output and exit code", ignore: ignoreExec }, async () => {
  const { id } = await detached(":");
  const r = await ctd().ctr(
    ["task", "exec", "--exec-id", "e1", id, "/bin/sh", "-c", "echo in-exec; exit 6"],
  );
  assertEquals([r.code, r.stdout], [6, "in-exec\n"], r.stderr);
  await ctrOk(["task", "delete", "--force", id]);
  await ctrOk(["container", "rm", id]);
  await assertGone(id);
});

Deno.test(
  { name: "ctr task kill --all, and delete --force of a running task", ignore },
  async () => {
    const a = await detached("sleep 1000 &");
    await ctrOk(["task", "kill", "--all", "--signal", "KILL", a.id]);
    ok(await eventually(async () => (await taskStatus(a.id)) === "STOPPED"), "kill --all");
    await ctrOk(["task", "delete", a.id]);
    await ctrOk(["container", "rm", a.id]);
    await assertGone(a.id);

    const b = await detached("sleep 1000 &");
    await ctrOk(["task", "delete", "--force", b.id]);
    await ctrOk(["container", "rm", b.id]);
    await assertGone(b.id);
  },
);

Deno.test({ name: "ctr run -t and task exec -t: a terminal", ignore: ignoreTty }, async () => {
  const id = uniqueId();
  const ctr = ["ctr", "--address", `${ctd().dir}/containerd.sock`, "--namespace", NAMESPACE];
  const run = await onTerminal([
    ...[...ctr, "run", "--rm", "--tty", "--runc-binary", TSRUN, "--rootfs", rootfs(id), id],
    ...["/bin/sh", "-c", `tty; exit 4; : ${id}`],
  ]);
  assertEquals(run.code, 4, run.stdout + run.stderr);
  match(run.stdout, /\/dev\/pts\/0\r*\n/);
  await assertGone(id);

  if (!hasExec) return console.warn("SKIPPED: task exec -t (tsrun has no exec command yet)");
  const task = await detached(":");
  const exec = await onTerminal([
    ...ctr,
    "task",
    "exec",
    "--tty",
    "--exec-id",
    "t",
    task.id,
    "/bin/tty",
  ]);
  assertEquals(exec.code, 0, exec.stdout + exec.stderr);
  match(exec.stdout, /\/dev\/pts\/\d+\r*\n/);
  await ctrOk(["task", "delete", "--force", task.id]);
  await ctrOk(["container", "rm", task.id]);
  await assertGone(task.id);
});

Deno.test({ name: "containerd: stop the daemon", ignore }, async () => {
  // Whatever a failed test left (it failed already): the daemon must stop clean anyway.
  for (const id of (await ctrOk(["container", "ls", "--quiet"])).split("\n").filter(Boolean)) {
    await ctd().ctr(["task", "delete", "--force", id]);
    await ctd().ctr(["container", "rm", id]);
  }
  await ctd().stop();
});
