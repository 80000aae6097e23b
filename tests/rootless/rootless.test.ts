// Rootless: a real unprivileged user (a fixed test user, made on first use with /etc/subuid
// entries) runs tsrun on a bundle it owns, with the config `spec --rootless` writes: no cgroup
// (it may not make one), a user namespace mapping only itself, the default state root.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { command } from "../helpers/command.ts";
import {
  type Config,
  findBusybox,
  hasCommand,
  makeBundle,
  processesMatching,
  REPO_ROOT,
  requireRoot,
  skipUnless,
  TSRUN,
} from "../helpers/mod.ts";

const USER = "tsrun-rootless";

function hasBusybox(): boolean {
  try {
    findBusybox();
    return true;
  } catch {
    return false;
  }
}

const ignore = requireRoot("making a test user") ||
  skipUnless(
    hasCommand("useradd") && hasCommand("setpriv"),
    "rootless tests need useradd and setpriv",
  ) ||
  skipUnless(hasBusybox(), "rootless tests need a static busybox");

/** The test user's uid and gid, made (with subordinate ids) when missing. */
async function testUser(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => (await command(["id", flag, USER])).stdout.trim();
  if ((await command(["id", USER])).code !== 0) {
    const r = await command(["useradd", "--no-create-home", "--shell", "/bin/sh", USER]);
    ok(r.code === 0 || /already exists/.test(r.stderr), r.stderr);
  }
  return { uid: Number(await id("-u")), gid: Number(await id("-g")) };
}

/**
 * TSRUN where the test user can reach it: a clone often sits under a 0700 directory (/root, a
 * mktemp -d), so the repo is bound at a traversable path for this file's tests.
 */
const userTsrun = (() => {
  if (ignore || !TSRUN.startsWith(`${REPO_ROOT}/`)) return TSRUN;
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-rootless-repo-" });
  Deno.chmodSync(dir, 0o755);
  const bind = new Deno.Command("mount", { args: ["--bind", REPO_ROOT, dir] }).outputSync();
  if (!bind.success) {
    throw new Error(`mount --bind ${REPO_ROOT}: ${new TextDecoder().decode(bind.stderr)}`);
  }
  globalThis.addEventListener("unload", () => {
    new Deno.Command("umount", { args: ["-l", dir] }).outputSync();
    Deno.removeSync(dir);
  });
  return dir + TSRUN.slice(REPO_ROOT.length);
})();

/** tsrun as the test user, from an empty environment as an engine would call it. */
function asUser(
  user: { uid: number; gid: number },
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  return command(
    [
      "setpriv",
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      "--clear-groups",
      "--",
      userTsrun,
      ...args,
    ],
    { cwd: opts.cwd, clearEnv: true, env: { PATH: "/usr/bin:/bin", ...opts.env } },
  );
}

/** A bundle the test user owns, holding the config its own `spec --rootless` wrote. */
async function rootlessBundle(
  user: { uid: number; gid: number },
  args: string[],
  edit?: (c: Config) => void,
) {
  const b = await makeBundle();
  Deno.removeSync(join(b.dir, "config.json"));
  await command(["chown", "-R", `${user.uid}:${user.gid}`, b.dir]);
  const spec = await asUser(user, ["spec", "--rootless"], { cwd: b.dir });
  assertEquals(spec.code, 0, spec.stderr);
  const path = join(b.dir, "config.json");
  const config = JSON.parse(Deno.readTextFileSync(path));
  assertEquals(config.linux.uidMappings, [{ containerID: 0, hostID: user.uid, size: 1 }]);
  config.process.args = args;
  config.process.terminal = false;
  edit?.(config);
  Deno.writeTextFileSync(path, JSON.stringify(config));
  return b;
}

/** The user's default state root without $XDG_RUNTIME_DIR; removed after each test. */
const defaultRoot = (uid: number) => `/tmp/tsrun-${uid}`;

function removeRoot(uid: number): void {
  try {
    Deno.removeSync(defaultRoot(uid), { recursive: true });
  } catch { /* never made */ }
}

Deno.test(
  { name: "rootless: spec --rootless, then run: output and exit code", ignore },
  async () => {
    const user = await testUser();
    const b = await rootlessBundle(user, ["sh", "-c", "id -u; id -g; echo pid=$$; exit 3"]);
    try {
      const r = await asUser(user, ["run", "-b", ".", "rl-run"], { cwd: b.dir });
      assertEquals(r.stderr, "");
      assertEquals(r.code, 3);
      assertEquals(r.stdout, "0\n0\npid=1\n");
      const st = Deno.statSync(defaultRoot(user.uid));
      assertEquals([st.uid, (st.mode ?? 0) & 0o777], [user.uid, 0o700]);
      assertEquals([...Deno.readDirSync(defaultRoot(user.uid))], [], "run deleted its state");
    } finally {
      removeRoot(user.uid);
      await b.cleanup();
    }
  },
);

Deno.test({ name: "rootless: the lifecycle, and nothing left", ignore }, async () => {
  const user = await testUser();
  const marker = "86413";
  const b = await rootlessBundle(user, ["sleep", marker]);
  const env = { XDG_RUNTIME_DIR: b.dir };
  const tsrun = (...args: string[]) => asUser(user, args, { cwd: b.dir, env });
  try {
    let r = await tsrun("create", "rl-life");
    assertEquals([r.code, r.stderr], [0, ""]);
    const state = () => tsrun("state", "rl-life").then((s) => JSON.parse(s.stdout));
    assertEquals((await state()).status, "created");
    r = await tsrun("start", "rl-life");
    assertEquals([r.code, r.stderr], [0, ""]);
    const running = await state();
    assertEquals(running.status, "running");
    ok(
      Deno.statSync(join(b.dir, "tsrun", "rl-life", "state.json")).isFile,
      "$XDG_RUNTIME_DIR/tsrun",
    );
    r = await tsrun("list", "--format", "json");
    assertEquals(JSON.parse(r.stdout).map((c: Config) => [c.id, c.owner]), [["rl-life", USER]]);
    r = await tsrun("ps", "--format", "json", "rl-life");
    assertEquals(JSON.parse(r.stdout), [running.pid], r.stderr);
    // In the container's pid namespace: its pid 1 is the container's process.
    r = await tsrun("exec", "rl-life", "sh", "-c", "id -u; tr '\\0' ' ' </proc/1/cmdline; exit 7");
    assertEquals([r.code, r.stdout, r.stderr], [7, "0\nsleep 86413 ", ""]);
    r = await tsrun("pause", "rl-life");
    assertEquals(r.code, 1);
    match(r.stderr, /^tsrun: cannot freeze \(pause\): container rl-life has no cgroup/);
    r = await tsrun("kill", "rl-life", "KILL");
    assertEquals([r.code, r.stderr], [0, ""]);
    for (let i = 0; i < 100 && (await state()).status !== "stopped"; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assertEquals((await state()).status, "stopped");
    r = await tsrun("delete", "rl-life");
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals([...Deno.readDirSync(join(b.dir, "tsrun"))], []);
    assertEquals(processesMatching(marker), []);
  } finally {
    await tsrun("delete", "--force", "rl-life");
    await b.cleanup();
  }
});

Deno.test(
  { name: "rootless: a limit without a cgroup fails naming the field", ignore },
  async () => {
    const user = await testUser();
    const marker = "86417";
    const b = await rootlessBundle(
      user,
      ["sleep", marker],
      (c) => (c.linux.resources = { pids: { limit: 10 } }),
    );
    try {
      const r = await asUser(user, ["run", "-b", ".", "rl-limit"], { cwd: b.dir });
      assertEquals(r.code, 1);
      match(
        r.stderr,
        /^tsrun: linux\.resources\.pids\.limit: cannot be applied: rootless, and mkdir /,
      );
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
      assertEquals([...Deno.readDirSync(defaultRoot(user.uid))], []);
      assertEquals(processesMatching(marker), []);
    } finally {
      removeRoot(user.uid);
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "rootless: a default state root someone else owns is refused", ignore },
  async () => {
    const user = await testUser();
    const dir = Deno.makeTempDirSync({ prefix: "tsrun-xdg-" });
    try {
      Deno.chmodSync(dir, 0o755);
      Deno.mkdirSync(join(dir, "tsrun"), { mode: 0o755 });
      const r = await asUser(user, ["list"], { env: { XDG_RUNTIME_DIR: dir } });
      assertEquals(r.code, 1);
      match(
        r.stderr,
        new RegExp(`^tsrun: state root ${dir}/tsrun: not a directory owned by uid ${user.uid}`),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);
