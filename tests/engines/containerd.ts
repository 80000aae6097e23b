// A private containerd for engine tests: its own root, state and socket under one temp dir, no
// CRI plugin, started and stopped by the test file. Containers run from plain rootfs directories
// (`ctr run --rootfs`), so no image or snapshotter is involved, with tsrun as the shim's runc
// binary. The shim keeps runc state in /run/containerd/runc/<namespace> (§2.1): each file uses
// a namespace of its own. When ctr drops --runc-binary (task options such as --uidmap, §2.4) the
// shim runs `runc` from its PATH: there, a wrapper that logs the call and runs tsrun.
import { join } from "node:path";
import { hasCommand, mountsUnder, TSRUN } from "../helpers/mod.ts";
import { command, type CommandOptions, type CommandResult, eventually } from "./command.ts";

export interface Containerd {
  dir: string;
  namespace: string;
  /** tsrun's --root as the shim passes it. */
  runtimeRoot: string;
  /** Every call of the `runc` wrapper on the daemon's PATH, one argv a line. */
  runcCalls(): string;
  /** `ctr --address <socket> --namespace <namespace> ...args`. */
  ctr(args: string[], opts?: CommandOptions): Promise<CommandResult>;
  /** `ctr run` of `rootfs` with tsrun as the runtime; `flags` go before the rootfs. */
  run(flags: string[], rootfs: string, id: string, argv: string[]): Promise<CommandResult>;
  /** Stops the daemon, removes the namespace's parent cgroups and the temp dir. */
  stop(): Promise<void>;
}

/** Why containerd cannot run here, or undefined when it can. */
export function containerdMissing(): string | undefined {
  if (Deno.uid() !== 0) return "containerd engine tests need root";
  for (const tool of ["containerd", "ctr", "containerd-shim-runc-v2"]) {
    if (!hasCommand(tool)) return `${tool} is not installed (apt-get install containerd)`;
  }
  return undefined;
}

function config(dir: string): string {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"
`;
}

/** Starts containerd and waits until it answers; throws with its log when it cannot start. */
export async function startContainerd(namespace: string): Promise<Containerd> {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-containerd-" });
  // As containerd makes its state directory: searchable, so that a user-namespaced container
  // reaches its bundle (runc opens the rootfs by path there too).
  await Deno.chmod(dir, 0o711);
  const socket = join(dir, "containerd.sock");
  const log = join(dir, "containerd.log");
  await Deno.writeTextFile(join(dir, "config.toml"), config(dir));
  const calls = join(dir, "runc-calls");
  Deno.mkdirSync(join(dir, "bin"));
  Deno.writeTextFileSync(
    join(dir, "bin", "runc"),
    `#!/bin/sh\necho "$*" >>'${calls}'\nexec '${TSRUN}' "$@"\n`,
    { mode: 0o755 },
  );
  const daemon = new Deno.Command("/bin/sh", {
    args: ["-c", 'exec containerd --config "$1" >"$2" 2>&1', "sh", join(dir, "config.toml"), log],
    env: { PATH: `${join(dir, "bin")}:${Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin"}` },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = daemon.status.then((s) => (exited = true, s));
  // Never left running by a test run that stops early (a filtered run skips the stop test).
  const onUnload = () => {
    try {
      daemon.kill("SIGKILL");
    } catch { /* gone */ }
  };
  globalThis.addEventListener("unload", onUnload);
  const ctr = (args: string[], opts?: CommandOptions) =>
    command(["ctr", "--address", socket, "--namespace", namespace, ...args], opts);
  const up = await eventually(
    async () => exited || (await ctr(["version"], { timeout: 5_000 })).code === 0,
    10_000,
  );
  const runtimeRoot = `/run/containerd/runc/${namespace}`;
  const c: Containerd = {
    dir,
    namespace,
    runtimeRoot,
    runcCalls: () => Deno.readTextFileSync(calls),
    ctr,
    run: (flags, rootfs, id, argv) =>
      ctr(["run", "--runc-binary", TSRUN, ...flags, "--rootfs", rootfs, id, ...argv]),
    async stop() {
      daemon.kill("SIGTERM");
      await status;
      globalThis.removeEventListener("unload", onUnload);
      // Engine leftovers, as with runc: the namespace's parent cgroups, tsrun's empty --root.
      for (const ctl of Deno.readDirSync("/sys/fs/cgroup")) {
        await Deno.remove(join("/sys/fs/cgroup", ctl.name, namespace)).catch(() => {});
      }
      await Deno.remove(runtimeRoot).catch(() => {});
      const mounts = mountsUnder(dir);
      if (mounts.length) throw new Error(`still mounted under ${dir}: ${mounts.join(", ")}`);
      await Deno.remove(dir, { recursive: true });
    },
  };
  if (!up || exited) {
    const why = (await Deno.readTextFile(log).catch(() => "")).trim().split("\n").slice(-3);
    if (!exited) daemon.kill("SIGKILL");
    await status;
    globalThis.removeEventListener("unload", onUnload);
    await Deno.remove(dir, { recursive: true });
    throw new Error(`containerd did not start: ${why.join(" | ")}`);
  }
  return c;
}
