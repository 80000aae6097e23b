// The rootless tests' user: a fixed unprivileged user (made on first use; useradd gives it
// /etc/subuid and /etc/subgid entries) that runs tsrun from an empty environment, as an engine
// would call it, through a bind mount of the repo at a path it can traverse.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { asUserArgv, command, type CommandOptions } from "../helpers/command.ts";
import {
  type Config,
  findBusybox,
  hasCommand,
  makeBundle,
  REPO_ROOT,
  requireRoot,
  skipUnless,
  TSRUN,
} from "../helpers/mod.ts";

export const USER = "tsrun-rootless";

export interface TestUser {
  uid: number;
  gid: number;
}

function hasBusybox(): boolean {
  try {
    findBusybox();
    return true;
  } catch {
    return false;
  }
}

/** `ignore` for every rootless test: what the test user and its containers need. */
export function rootlessMissing(): boolean {
  return requireRoot("making a test user") ||
    skipUnless(
      hasCommand("useradd") && hasCommand("setpriv"),
      "rootless tests need useradd and setpriv",
    ) ||
    skipUnless(hasBusybox(), "rootless tests need a static busybox");
}

/** The test user's uid and gid, made (with subordinate ids) when missing. */
export async function testUser(): Promise<TestUser> {
  const id = async (flag: string) => (await command(["id", flag, USER])).stdout.trim();
  if ((await command(["id", USER])).code !== 0) {
    const r = await command(["useradd", "--no-create-home", "--shell", "/bin/sh", USER]);
    ok(r.code === 0 || /already exists/.test(r.stderr), r.stderr);
  }
  return { uid: Number(await id("-u")), gid: Number(await id("-g")) };
}

/** The test user's first range in /etc/subuid or /etc/subgid. */
export function subordinateIds(
  file: "/etc/subuid" | "/etc/subgid",
): { start: number; count: number } {
  const line = Deno.readTextFileSync(file).split("\n").find((l) => l.startsWith(`${USER}:`));
  ok(line, `${file} has no entry for ${USER} (useradd adds one; or usermod --add-subuids)`);
  const [, start, count] = line.split(":").map(Number);
  return { start, count };
}

let bound: string | undefined;

/**
 * TSRUN where the test user can reach it: a clone often sits under a 0700 directory (/root, a
 * mktemp -d), so the repo is bound at a traversable path for the test file's lifetime.
 */
export function userTsrun(): string {
  if (bound) return bound;
  if (!TSRUN.startsWith(`${REPO_ROOT}/`)) return bound = TSRUN;
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-rootless-repo-" });
  Deno.chmodSync(dir, 0o755);
  const bind = new Deno.Command("mount", { args: ["--bind", REPO_ROOT, dir] }).outputSync();
  if (!bind.success) {
    Deno.removeSync(dir);
    throw new Error(`mount --bind ${REPO_ROOT}: ${new TextDecoder().decode(bind.stderr)}`);
  }
  globalThis.addEventListener("unload", () => {
    new Deno.Command("umount", { args: ["-l", dir] }).outputSync();
    Deno.removeSync(dir);
  });
  return bound = dir + TSRUN.slice(REPO_ROOT.length);
}

/**
 * tsrun as the test user, from an empty environment but PATH; `prefix` runs first as root (e.g.
 * nsenter), in the cgroup whose `cgroupProcs` file is given.
 */
export function asUser(
  user: TestUser,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; prefix?: string[]; cgroupProcs?: string } =
    {},
) {
  const run: CommandOptions = {
    cwd: opts.cwd,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin", ...opts.env },
    cgroupProcs: opts.cgroupProcs,
  };
  return command([...opts.prefix ?? [], ...asUserArgv(user, [userTsrun(), ...args])], run);
}

/** A bundle the test user owns, holding the config its own `spec --rootless` wrote. */
export async function rootlessBundle(
  user: TestUser,
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
