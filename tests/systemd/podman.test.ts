// podman's systemd cgroup manager with tsrun as its runtime, inside the systemd fixture: podman
// calls `tsrun --systemd-cgroup` with cgroupsPath "machine.slice:libpod:<id>", and each container
// is the scope libpod-<id>.scope, gone with the container.
import assert from "node:assert/strict";
import { skipUnless, TSRUN } from "../helpers/mod.ts";
import { IMAGE, type Podman, podmanMissing, setupPodman } from "../engines/podman.ts";
import { type Fixture, startSystemd, systemdMissing } from "./fixture.ts";

const missing = systemdMissing({ v1: true }) ?? podmanMissing();
let fixture: Fixture | undefined;
let podman: Podman | undefined;
let setupError: string | undefined;
if (!missing) {
  try {
    fixture = await startSystemd();
    podman = await setupPodman({
      cgroupManager: "systemd",
      prefix: fixture.prefix,
      parent: "/var/tmp",
    });
  } catch (e) {
    setupError = (e as Error).message;
  }
}
const ignore = skipUnless(missing === undefined, missing ?? "");
// A filtered run skips the last test, which stops it.
globalThis.addEventListener("unload", () => fixture?.kill());

function pm(): Podman {
  if (!podman) throw new Error(`podman in the systemd fixture did not set up: ${setupError}`);
  return podman;
}

function fx(): Fixture {
  if (!fixture) throw new Error(`the systemd fixture did not start: ${setupError}`);
  return fixture;
}

async function assertGone(id: string): Promise<void> {
  const unit = `libpod-${id}.scope`;
  assert.equal((await fx().show(unit, "LoadState")).LoadState, "not-found", `${unit} still loaded`);
  assert.deepEqual(fx().dirsOf(`machine.slice/${unit}`), [], "cgroup directories left");
  // podman passes no --root: tsrun's default one, in the fixture's /run.
  const list = await fx().run([TSRUN, "list", "--quiet"]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(id), `tsrun still lists ${id}`);
}

Deno.test({ name: "podman (systemd manager): set up in the fixture", ignore }, () => {
  pm();
});

Deno.test({ name: "podman (systemd manager) run --rm: output, nothing left", ignore }, async () => {
  const cidfile = `${pm().dir}/rm.cid`;
  const r = await pm().run(["run", "--rm", "--cidfile", cidfile, IMAGE, "echo", "hi"]);
  assert.deepEqual([r.code, r.stdout], [0, "hi\n"], r.stderr);
  await assertGone(Deno.readTextFileSync(cidfile).trim());
});

Deno.test({
  name: "podman (systemd manager): the container is a scope with its limits; exec, pause, rm",
  ignore,
  async fn() {
    const name = `sd-podman-${Deno.pid}`;
    const r = await pm().run([
      ...["run", "-d", "--name", name, "--memory", "64m", "--cgroupns", "host"],
      ...[IMAGE, "sleep", "600"],
    ]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const unit = `libpod-${id}.scope`;
    try {
      assert.deepEqual(await fx().show(unit, "ActiveState", "Slice", "Delegate", "MemoryLimit"), {
        ActiveState: "active",
        Slice: "machine.slice",
        Delegate: "yes",
        MemoryLimit: String(64 << 20),
      });
      const runtime = await pm().run(["inspect", "--format", "{{.OCIRuntime}}", name]);
      assert.equal(runtime.stdout.trim(), TSRUN);
      const e = await pm().run(["exec", name, "cat", "/proc/self/cgroup"]);
      assert.equal(e.code, 0, e.stderr);
      for (const line of e.stdout.trim().split("\n")) {
        assert.match(line, new RegExp(`:/machine\\.slice/${unit}$`));
      }
      assert.equal((await pm().run(["pause", name])).code, 0);
      const freezer = fx().hostPath("freezer", `machine.slice/${unit}/freezer.state`);
      assert.equal(Deno.readTextFileSync(freezer).trim(), "FROZEN");
      assert.equal((await pm().run(["unpause", name])).code, 0);
      assert.equal(Deno.readTextFileSync(freezer).trim(), "THAWED");
      const rm = await pm().run(["rm", "--force", "--time", "0", name]);
      assert.equal(rm.code, 0, rm.stderr);
      await assertGone(id);
    } finally {
      await pm().run(["rm", "--force", "--time", "0", name]);
    }
  },
});

Deno.test({
  name: "podman (systemd manager): cleaned up, the fixture stopped, nothing left",
  ignore,
  async fn() {
    const f = fx();
    await pm().cleanup();
    fixture = undefined;
    await f.stop();
    for (const dir of f.dirs) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
  },
});
