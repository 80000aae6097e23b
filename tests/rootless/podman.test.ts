// Rootless podman with tsrun as its runtime: the test user runs podman (its own storage, HOME and
// XDG_RUNTIME_DIR), which runs tsrun as uid 0 in podman's user namespace. tsrun must take that
// for rootless, as runc does: its state under $XDG_RUNTIME_DIR, no cgroup, exec (and a create
// joining a pid namespace) forking into the container's pid namespace.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { processesMatching, skipUnless } from "../helpers/mod.ts";
import { eventually } from "../engines/command.ts";
import { IMAGE, type Podman, podmanMissing, setupPodman } from "../engines/podman.ts";
import { rootlessMissing, testUser, userTsrun } from "./user.ts";

let podman: Podman | undefined;
let why = rootlessMissing() ? "rootless tests cannot run here" : podmanMissing();
if (!why) {
  try {
    podman = await setupPodman({ rootless: { ...await testUser(), runtime: userTsrun() } });
  } catch (e) {
    why = `rootless podman cannot run here: ${(e as Error).message}`;
  }
}
const ignore = skipUnless(podman !== undefined, why ?? "");

function pm(): Podman {
  if (!podman) throw new Error("podman is not set up");
  return podman;
}

/** tsrun's state dir of every container: $XDG_RUNTIME_DIR/tsrun, podman passing no --root. */
function tsrunStates(): string[] {
  try {
    return [...Deno.readDirSync(join(pm().dir, "user", "tsrun"))].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test({ name: "rootless podman run --rm: output, exit 0, nothing left", ignore }, async () => {
  const r = await pm().run(["run", "--rm", IMAGE, "sh", "-c", "echo hi; id -u"]);
  assertEquals([r.code, r.stdout, r.stderr], [0, "hi\n0\n", ""]);
  assertEquals(tsrunStates(), []);
});

Deno.test(
  { name: "rootless podman run --userns=keep-id: a user namespace made inside podman's", ignore },
  async () => {
    // tsrun, uid 0 in podman's namespace, writes the new one's maps itself (it is root there).
    const keepId = ["run", "--rm", "--userns=keep-id", IMAGE, "id", "-u"];
    const r = await pm().run(keepId);
    assertEquals([r.code, r.stdout, r.stderr], [0, `${(await testUser()).uid}\n`, ""]);
    assertEquals(tsrunStates(), []);
  },
);

Deno.test({ name: "rootless podman run -d, exec, rm -f", ignore }, async () => {
  const name = `rl-podman-${Deno.pid}`;
  const script = `echo ready; while :; do sleep 0.1; done; : ${name}`;
  let r = await pm().run(["run", "-d", "--name", name, IMAGE, "sh", "-c", script]);
  assertEquals(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  try {
    ok(
      // Each podman call is a second or so on a loaded 2-core machine: a generous deadline.
      await eventually(
        async () => (await pm().run(["logs", name])).stdout.includes("ready\n"),
        20_000,
      ),
      "never got ready",
    );
    assertEquals(tsrunStates(), [id]);
    // In the container's pid namespace: its pid 1 is the container's shell.
    r = await pm().run([
      "exec",
      name,
      "sh",
      "-c",
      "echo exec-hi; head -c 2 /proc/1/cmdline; exit 5",
    ]);
    assertEquals([r.code, r.stdout, r.stderr], [5, "exec-hi\nsh", ""]);
    // A container joining its pid namespace (as in a pod): made there by a forking child too.
    const joined = ["--pid", `container:${name}`];
    r = await pm().run(["run", "--rm", ...joined, IMAGE, "head", "-c", "2", "/proc/1/cmdline"]);
    assertEquals([r.code, r.stdout, r.stderr], [0, "sh", ""]);
    r = await pm().run(["rm", "--force", "--time", "0", name]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(tsrunStates(), []);
    // conmon ends after podman returns (it runs the exit command): as tests/engines/leftovers.ts.
    await eventually(() => processesMatching(name).length === 0, 10_000);
    assertEquals(processesMatching(name), []);
  } finally {
    await pm().run(["rm", "--force", "--time", "0", name]);
  }
});

Deno.test({ name: "rootless podman: remove the private storage", ignore }, async () => {
  await pm().cleanup();
});
