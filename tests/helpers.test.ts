// The test helpers themselves: a wrong rootfs or bundle would make every other test meaningless.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cgroupsMatching,
  findBusybox,
  hasCommand,
  isStaticElf,
  leftovers,
  makeBundle,
  mountsUnder,
  processesMatching,
  REPO_ROOT,
  requireRoot,
  skipUnless,
  stateRoot,
  tsrun,
} from "./helpers/mod.ts";

const NEEDED = ["sh", "true", "false", "echo", "cat", "ls", "id", "sleep", "ps", "mount", "grep"]
  .concat(["hostname", "env", "pwd", "stat", "readlink", "touch", "mkdir", "kill", "wc", "head"])
  .concat(["printf", "test", "["]);

const haveBusybox = (() => {
  try {
    findBusybox();
    return true;
  } catch {
    return false;
  }
})();
const noBusybox = skipUnless(haveBusybox, "no static busybox (apt-get install busybox-static)");

function run(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const out = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).outputSync();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const unique = () => `h${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

Deno.test("isStaticElf tells static from dynamic executables and non-ELF files", {
  ignore: noBusybox,
}, () => {
  const head = (p: string) => Deno.readFileSync(p).subarray(0, 4096);
  assert.equal(isStaticElf(head(findBusybox())), true);
  assert.equal(isStaticElf(head(Deno.execPath())), false, "deno is dynamically linked");
  assert.equal(isStaticElf(new TextEncoder().encode("#!/bin/sh\n".padEnd(100))), false);
  assert.equal(isStaticElf(head(findBusybox()).subarray(0, 40)), false, "truncated header");
});

Deno.test("makeBundle writes a rootfs with busybox applets and the config", {
  ignore: noBusybox,
}, async () => {
  const b = await makeBundle({ args: ["echo", "hi"], config: (c) => c.hostname = "edited" });
  try {
    assert.equal(b.dir.endsWith("/bundle"), true);
    for (const applet of NEEDED) {
      assert.equal(Deno.readLinkSync(join(b.rootfs, "bin", applet)), "busybox", applet);
    }
    assert.match(Deno.readTextFileSync(join(b.rootfs, "etc/passwd")), /^root:x:0:0:/);
    assert.match(Deno.readTextFileSync(join(b.rootfs, "etc/group")), /^root:x:0:/);
    for (const d of ["proc", "sys", "dev", "root"]) {
      assert.ok(Deno.statSync(join(b.rootfs, d)).isDirectory);
    }
    assert.equal(Deno.statSync(join(b.rootfs, "tmp")).mode! & 0o7777, 0o1777);
    const written = JSON.parse(Deno.readTextFileSync(join(b.dir, "config.json")));
    assert.deepEqual(written, b.config);
    assert.deepEqual(written.process.args, ["echo", "hi"]);
    assert.equal(written.hostname, "edited");
    assert.equal(written.process.terminal, false);
    assert.deepEqual(written.linux.namespaces.map((n: { type: string }) => n.type).sort(), [
      "ipc",
      "mount",
      "network",
      "pid",
      "uts",
    ]);
    b.config.process.args = ["true"];
    b.writeConfig();
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(join(b.dir, "config.json"))).process.args, [
      "true",
    ]);
  } finally {
    await b.cleanup();
  }
  assert.throws(() => Deno.statSync(b.dir), Deno.errors.NotFound);
});

Deno.test("busybox runs in the rootfs (chroot)", {
  ignore: noBusybox || requireRoot("chroot") || skipUnless(hasCommand("chroot"), "no chroot"),
}, async () => {
  const b = await makeBundle();
  try {
    const r = run("chroot", [b.rootfs, "/bin/sh", "-c", "echo ok; id -un; ls /bin/[ /bin/sleep"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ok\nroot\n/bin/[\n/bin/sleep\n");
  } finally {
    await b.cleanup();
  }
});

Deno.test("runc runs the default bundle and leaves nothing behind", {
  ignore: noBusybox || requireRoot("runc run") || skipUnless(hasCommand("runc"), "no runc"),
}, async () => {
  const id = unique();
  const b = await makeBundle({ args: ["sh", "-c", "echo hello; id -u; hostname; ps -o pid,args"] });
  const root = await Deno.makeTempDir({ prefix: "runc-root-" });
  try {
    const r = run("runc", ["--root", root, "run", "-b", b.dir, id]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, 3), ["hello", "0", "tsrun-test"]);
    // sh execs its last command, so ps is the only process: pid 1 of a new pid namespace.
    assert.deepEqual(lines.slice(4).map((l) => l.trim().split(" ")[0]), ["1"]);
    assert.deepEqual(leftovers({ path: b.dir, marker: id }), {
      mounts: [],
      cgroups: [],
      processes: [],
    });
  } finally {
    run("runc", ["--root", root, "delete", "-f", id]);
    await Deno.remove(root, { recursive: true });
    await b.cleanup();
  }
});

Deno.test("bundle cleanup refuses while something is mounted inside", {
  ignore: noBusybox || requireRoot("mount"),
}, async () => {
  const b = await makeBundle();
  const target = join(b.rootfs, "tmp");
  assert.equal(run("mount", ["-t", "tmpfs", "none", target]).code, 0);
  try {
    assert.deepEqual(mountsUnder(b.dir), [target]);
    await assert.rejects(() => b.cleanup(), /still mounted/);
  } finally {
    run("umount", [target]);
  }
  assert.deepEqual(mountsUnder(b.dir), []);
  await b.cleanup();
});

Deno.test("leftovers finds processes and cgroup dirs by marker", async () => {
  const marker = unique();
  // `read` is a builtin: sh never forks, so exactly one process carries the marker (as $0).
  const child = new Deno.Command("sh", { args: ["-c", "read x", marker], stdin: "piped" }).spawn();
  try {
    const found = processesMatching(marker);
    assert.deepEqual(found.map((p) => p.pid), [child.pid]);
    assert.match(found[0].cmdline, new RegExp(marker));
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.deepEqual(processesMatching(marker), []);
  assert.deepEqual(cgroupsMatching(marker), []);
});

Deno.test("leftovers finds a cgroup dir by marker", {
  ignore: requireRoot("creating a cgroup") ||
    skipUnless(Deno.statSync("/sys/fs/cgroup").isDirectory, "no /sys/fs/cgroup"),
}, () => {
  const marker = unique();
  // Any writable hierarchy will do: pids on v1, the cgroup2 root otherwise.
  const parent = ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
    .find((p) => {
      try {
        return Deno.statSync(join(p, "cgroup.procs")).isFile;
      } catch {
        return false;
      }
    })!;
  const dir = join(parent, `helpers-${marker}`, "inner");
  Deno.mkdirSync(dir, { recursive: true });
  try {
    assert.deepEqual(cgroupsMatching(marker), [join(parent, `helpers-${marker}`), dir]);
  } finally {
    Deno.removeSync(dir);
    Deno.removeSync(join(parent, `helpers-${marker}`));
  }
  assert.deepEqual(cgroupsMatching(marker), []);
});

Deno.test("skipUnless and requireRoot return Deno.test's ignore value", () => {
  assert.equal(skipUnless(true, "unused"), false);
  assert.equal(skipUnless(false, "this line is expected in the output"), true);
  assert.equal(requireRoot("(requireRoot self-check, not a real skip)"), Deno.uid() !== 0);
  assert.equal(hasCommand("sh"), true);
  assert.equal(hasCommand("no-such-command-" + unique()), false);
});

Deno.test("tsrun() runs the CLI with this file's state root", async () => {
  const version = await tsrun(["--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^tsrun version \S+\nspec: /);
  const bad = await tsrun(["no-such-command"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^tsrun: no such command: no-such-command/);
  assert.ok(Deno.statSync(stateRoot()).isDirectory);
  const bare = await tsrun(["--version"], { clearEnv: true, cwd: "/" });
  assert.equal(bare.stdout, version.stdout, "runs from any cwd with an empty environment");
  await assert.rejects(() => tsrun(["--version"], { timeout: 1 }), /no exit after 1 ms/);
});

Deno.test("scripts/test ends with the plain summary line and fails on failures or no tests", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-test-fixture-" });
  const script = join(REPO_ROOT, "scripts", "test");
  const runTest = async (...args: string[]) => {
    const out = await new Deno.Command(script, { args, stdout: "piped", stderr: "piped" }).output();
    const lines = new TextDecoder().decode(out.stdout).trimEnd().split("\n");
    return { code: out.code, last: lines.at(-1) };
  };
  try {
    const mixed = join(dir, "mixed.test.ts");
    await Deno.writeTextFile(
      mixed,
      `Deno.test("passes", () => {});
Deno.test("passes with a step", async (t) => { await t.step("step", () => {}); });
Deno.test("fails", () => { throw new Error("expected failure"); });
Deno.test({ name: "skipped", ignore: true, fn() {} });
`,
    );
    assert.deepEqual(await runTest(mixed), {
      code: 1,
      last: "tests: 2 passed, 1 failed, 1 skipped",
    });
    assert.deepEqual(await runTest("--filter", "passes", mixed), {
      code: 0,
      last: "tests: 2 passed, 0 failed, 0 skipped",
    });
    assert.deepEqual(await runTest("--filter", "no-such-test", mixed), {
      code: 1,
      last: "tests: 0 passed, 0 failed, 0 skipped",
    });
    const broken = join(dir, "broken.test.ts");
    await Deno.writeTextFile(
      broken,
      `const n: number = "not a number";\nDeno.test("t", () => {});\n`,
    );
    assert.deepEqual(await runTest(broken), {
      code: 1,
      last: "tests: 0 passed, 0 failed, 0 skipped",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
