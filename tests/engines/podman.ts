// A private podman for engine tests: its own storage, run and tmp dirs under one temp dir, the
// runtime under test as --runtime, and a busybox image imported from a local tarball (no
// registry, no network). Settings follow the engine contract for this host (§1.1, §4.3). Rootless
// podman runs as an unprivileged user, with a HOME and XDG_RUNTIME_DIR of its own in that dir.
import { join } from "node:path";
import { buildRootfs, hasCommand, TSRUN } from "../helpers/mod.ts";
import { asUserArgv } from "../helpers/command.ts";
import { command, type CommandOptions, type CommandResult, mustSucceed } from "./command.ts";

export const IMAGE = "localhost/tsrun-busybox:test";

/**
 * podman's rootful default rlimits (1048576) exceed what root may set on this host (§4.3), and
 * every container runs without a network: there is no bridge to give it.
 */
function conf(cgroupManager: CgroupManager): string {
  return `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[engine]
cgroup_manager = "${cgroupManager}"
events_logger = "file"
`;
}

/** Also passes --log-format=json --log F to the runtime, as podman does for runc (§1.1). */
const JSON_LOG = `runtime_supports_json = ["tsrun"]\n`;

export interface PodmanOptions extends CommandOptions {
  /** Lists tsrun in runtime_supports_json, so errors come back through the JSON log file. */
  jsonLog?: boolean;
}

/** cgroupfs, or systemd: then podman runs tsrun with --systemd-cgroup (tests/systemd/). */
export type CgroupManager = "cgroupfs" | "systemd";

export interface PodmanSetup {
  cgroupManager?: CgroupManager;
  /** Put before every podman command, e.g. nsenter into a systemd fixture. */
  prefix?: string[];
  /** Where the temp dir goes (default: the system's); it must be visible under `prefix`. */
  parent?: string;
  /** Rootless podman: run as this user, with `runtime` (a path the user can reach). */
  rootless?: { uid: number; gid: number; runtime: string };
}

export interface Podman {
  dir: string;
  /** `podman <isolating global flags> ...args`. */
  run(args: string[], opts?: PodmanOptions): Promise<CommandResult>;
  /** Removes every container and the temp dir. */
  cleanup(): Promise<void>;
}

/** Why podman cannot run here, or undefined when it can. */
export function podmanMissing(): string | undefined {
  if (Deno.uid() !== 0) return "podman engine tests need root";
  for (const tool of ["podman", "conmon", "tar"]) {
    if (!hasCommand(tool)) return `${tool} is not installed (apt-get install podman)`;
  }
  return undefined;
}

/** Sets up the private podman and imports the image; throws when podman cannot work here. */
export async function setupPodman(setup: PodmanSetup = {}): Promise<Podman> {
  const { cgroupManager = "cgroupfs", prefix = [], rootless } = setup;
  const dir = await Deno.makeTempDir({ prefix: "tsrun-podman-", dir: setup.parent });
  // The user's own part: podman's storage, run and tmp dirs, HOME and XDG_RUNTIME_DIR.
  const own = rootless ? join(dir, "user") : dir;
  if (rootless) {
    await Deno.chmod(dir, 0o755);
    await Deno.mkdir(own, { mode: 0o700 });
    await Deno.chown(own, rootless.uid, rootless.gid);
  }
  const confFile = join(dir, "containers.conf");
  const jsonConf = join(dir, "containers-json.conf");
  const events = `events_logfile_path = "${own}/events.log"\n`;
  await Deno.writeTextFile(confFile, conf(cgroupManager) + events);
  await Deno.writeTextFile(jsonConf, conf(cgroupManager) + events + JSON_LOG);
  const global = [
    ...["--root", join(own, "storage"), "--runroot", join(own, "run")],
    ...["--tmpdir", join(own, "tmp"), "--storage-driver", "vfs"],
    ...["--runtime", rootless?.runtime ?? TSRUN],
    ...["--cgroup-manager", cgroupManager, "--events-backend", "file"],
  ];
  const userEnv = rootless && {
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: own,
    XDG_RUNTIME_DIR: own,
  };
  // A filtered test run may skip the cleanup test: the storage still goes when the file ends.
  const onUnload = () => {
    if (rootless) stopPauseProcess(own);
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone, or a container still holds a mount there */ }
  };
  globalThis.addEventListener("unload", onUnload);
  const podman: Podman = {
    dir,
    run(args, opts = {}) {
      const env = { ...userEnv, ...opts.env, CONTAINERS_CONF: opts.jsonLog ? jsonConf : confFile };
      const argv = ["podman", ...global, ...args];
      if (!rootless) return command([...prefix, ...argv], { ...opts, env });
      // From the user's own directory: the test's cwd (a clone in a 0700 mktemp -d) may be out
      // of its reach, and podman refuses to start where it cannot chdir back.
      const user = { cwd: own, ...opts, env, clearEnv: true };
      return command([...prefix, ...asUserArgv(rootless, argv)], user);
    },
    async cleanup() {
      await podman.run(["rm", "--all", "--force", "--time", "0"]);
      await podman.run(["rmi", "--all", "--force"]);
      if (rootless) stopPauseProcess(own);
      await Deno.remove(dir, { recursive: true });
      globalThis.removeEventListener("unload", onUnload);
    },
  };
  try {
    const rootfs = join(dir, "rootfs");
    buildRootfs(rootfs);
    const tar = join(dir, "rootfs.tar");
    await mustSucceed(command(["tar", "-C", rootfs, "-cf", tar, "."]), "tar the rootfs");
    await mustSucceed(podman.run(["import", tar, IMAGE]), "podman import");
    await Deno.remove(rootfs, { recursive: true });
  } catch (e) {
    if (rootless) stopPauseProcess(own);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    globalThis.removeEventListener("unload", onUnload);
    throw e;
  }
  return podman;
}

/**
 * Rootless podman keeps a pause process holding its user namespace (its pid in the tmp dir)
 * after its last command: killed with the storage it serves.
 */
function stopPauseProcess(own: string): void {
  try {
    Deno.kill(Number(Deno.readTextFileSync(join(own, "tmp", "pause.pid"))), "SIGKILL");
  } catch { /* none was started, or it is gone */ }
}
