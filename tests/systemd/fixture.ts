// A real systemd for the systemd cgroup driver's tests, on a host that does not run one: Debian's
// systemd as pid 1 of new pid, mount, cgroup, uts and ipc namespaces over the host's files, with
// private /run and /tmp. It is booted into an empty target (the host's enabled services must not
// start twice), and its cgroup namespace is rooted at a cgroup of its own in every hierarchy,
// remounted inside, so all it makes stays below that cgroup and goes with it. Every filesystem
// whose superblock systemd changes (it remounts the /sys/fs/cgroup tmpfs read-only, small) is a
// new one of its own: a change to a host superblock would show outside too. Its console is a log
// file. Commands run inside through `nsenter`; stop() shuts it down and removes the cgroups.
import { join } from "node:path";
import assert from "node:assert/strict";
import { hasCommand, processesMatching, REPO_ROOT, until } from "../helpers/mod.ts";
import { command, type CommandResult } from "../helpers/command.ts";

export const SYSTEMD = "/lib/systemd/systemd";
const TARGET = "tsrun-fixture.target";

/** Why no fixture can run here, or undefined when it can; `v1`: one with v1 hierarchies. */
export function systemdMissing(o: { v1?: boolean } = {}): string | undefined {
  if (o.v1 && !cgroupMounts().some((m) => m.fstype === "cgroup")) {
    return "these checks are written for v1 controllers, and this host has only cgroup v2 " +
      "(unified.test.ts runs the driver there)";
  }
  if (Deno.uid() !== 0) return "the systemd fixture needs root";
  try {
    Deno.statSync(SYSTEMD);
  } catch {
    return `${SYSTEMD} is not installed (apt-get install --no-install-recommends systemd)`;
  }
  for (const tool of ["unshare", "nsenter", "systemctl"]) {
    if (!hasCommand(tool)) return `${tool} is not installed`;
  }
  return undefined;
}

interface CgroupMount {
  mountpoint: string;
  fstype: string;
  options: string;
}

/** The cgroup mounts under /sys/fs/cgroup, and what mounts them again inside the namespace. */
function cgroupMounts(): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of Deno.readTextFileSync("/proc/self/mountinfo").split("\n")) {
    const f = line.split(" ");
    const sep = f.indexOf("-", 6);
    if (sep < 0 || !f[4].startsWith("/sys/fs/cgroup")) continue;
    const fstype = f[sep + 1];
    if (fstype !== "cgroup" && fstype !== "cgroup2") continue;
    const options = fstype === "cgroup2" ? "" : f[sep + 3].split(",")
      .filter((o) => o !== "rw" && o !== "ro" && o !== "relatime").join(",");
    out.push({ mountpoint: f[4], fstype, options });
  }
  return out;
}

/** The script that becomes pid 1: private mounts, cgroups remounted (the cgroup2 hierarchy
 * alone when `unified`), then systemd. */
function bootScript(mounts: CgroupMount[], log: string, unified: boolean): string {
  const remount = unified ? [`mount -t cgroup2 cgroup2 /sys/fs/cgroup`] : [
    "mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup",
    ...mounts.map((m) =>
      `mkdir -p ${m.mountpoint} && mount -t ${m.fstype} ${
        m.options ? `-o ${m.options} ` : ""
      }cgroup ${m.mountpoint}`
    ),
  ];
  const unit = `[Unit]\nDescription=tsrun test fixture\nDefaultDependencies=no\n`;
  // A repository below /tmp (a clone in a `mktemp -d`) is bound back over the private /tmp:
  // tsrun runs inside from there.
  const repo = REPO_ROOT.startsWith("/tmp/") ? REPO_ROOT : undefined;
  return [
    "set -e",
    "mount --make-rprivate /",
    "mount -t tmpfs -o mode=755 tmpfs /run",
    ...(repo ? ["mkdir /run/host-tmp", "mount --bind /tmp /run/host-tmp"] : []),
    "mount -t tmpfs -o mode=1777 tmpfs /tmp",
    ...(repo
      ? [
        `mkdir -p ${repo} && mount --bind /run/host-tmp${repo.slice("/tmp".length)} ${repo}`,
        "umount /run/host-tmp && rmdir /run/host-tmp",
      ]
      : []),
    `: >${log} && mount --bind ${log} /dev/console`,
    // The host's cgroup mounts go first: over-mounted, they would still be listed in mountinfo.
    "umount -R /sys/fs/cgroup",
    ...remount,
    "mkdir -p /run/systemd/system",
    `printf '${unit.replaceAll("\n", "\\n")}' > /run/systemd/system/${TARGET}`,
    `exec env -i container=tsrun-fixture PATH=/usr/sbin:/usr/bin:/sbin:/bin ` +
    `${SYSTEMD} --system --unit=${TARGET} --log-target=console </dev/null >${log} 2>&1`,
  ].join("\n");
}

export interface Fixture {
  /** systemd's pid (as the host sees it). */
  pid: number;
  /** The cgroup below which all of the fixture lives, in each hierarchy. */
  cgroup: string;
  /** Its host directories, one per hierarchy. */
  dirs: string[];
  /** What systemd runs on: the cgroup2 hierarchy alone, or v1 hierarchies (and cgroup2). */
  layout: "v2" | "v1";
  /** `nsenter` into the fixture's namespaces: put before a command to run it inside. */
  prefix: string[];
  /** Runs `argv` inside the fixture. */
  run(argv: string[]): Promise<CommandResult>;
  /** The host directory of the fixture's cgroup `path` in the hierarchy of `controller` (e.g.
   * "memory", "unified"); under layout v2 always the cgroup2 one. */
  hostPath(controller: string, path: string): string;
  /** `systemctl show UNIT -p NAME` for each name, as name → value. */
  show(unit: string, ...names: string[]): Promise<Record<string, string>>;
  /** The host directories `path` (e.g. "system.slice/x.scope") has in the fixture's hierarchies. */
  dirsOf(path: string): string[];
  /** The first lines of systemd's own output, for failure messages. */
  log(): string;
  stop(): Promise<void>;
  /** stop() for where nothing can be awaited (unload): kills it outright. */
  kill(): void;
}

/** The host's mounts that the fixture's namespace starts from: the fixture must leave them
 * (their superblocks' options included) as they were. */
export function hostMounts(): string[] {
  const watched = ["/", "/proc", "/sys", "/sys/fs/cgroup", "/dev", "/dev/shm", "/run", "/tmp"];
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
    .map((l) => l.split(" "))
    .filter((f) => watched.includes(f[4]) || f[4]?.startsWith("/sys/fs/cgroup/"))
    .map((f) => [f[4], f[5], ...f.slice(f.indexOf("-", 6))].join(" "));
}

function childrenOf(pid: number): number[] {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).split(" ")
      .filter((s) => s !== "").map(Number);
  } catch {
    return [];
  }
}

/** Removes `dir` and every cgroup below it, killing whatever is still in them. */
function removeCgroupTree(dir: string): void {
  let subs: string[] = [];
  try {
    subs = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => join(dir, e.name));
  } catch {
    return; // gone
  }
  subs.forEach(removeCgroupTree);
  for (let i = 0; i < 50; i++) {
    try {
      Deno.removeSync(dir);
      return;
    } catch {
      for (const p of Deno.readTextFileSync(join(dir, "cgroup.procs")).split("\n")) {
        if (p) Deno.kill(Number(p), "SIGKILL");
      }
      // The kernel frees the cgroup once its last process is reaped.
      const end = Date.now() + 20;
      while (Date.now() < end) { /* wait */ }
    }
  }
  Deno.removeSync(dir);
}

/**
 * Boots a fixture; throws (after cleaning up) when systemd does not reach "running". `unified`
 * gives it only the cgroup2 hierarchy, as on a pure v2 host (what a host that is one gets anyway).
 */
export async function startSystemd(o: { unified?: boolean } = {}): Promise<Fixture> {
  const name = `tsrun-sd-fixture-${Deno.pid}-${Date.now()}`;
  const mounts = cgroupMounts();
  const cgroup2 = mounts.find((m) => m.fstype === "cgroup2");
  const unified = o.unified === true || cgroup2?.mountpoint === "/sys/fs/cgroup";
  if (unified && !cgroup2) throw new Error("this host has no cgroup2 hierarchy");
  const dirs = mounts.map((m) => join(m.mountpoint, name));
  const work = Deno.makeTempDirSync({ dir: "/var/tmp", prefix: "tsrun-sd-fixture-" });
  const log = join(work, "systemd.log");
  for (const m of mounts) {
    const dir = join(m.mountpoint, name);
    Deno.mkdirSync(dir);
    // A new v1 cpuset has no cpus or mems, and then takes no processes.
    for (const f of ["cpuset.cpus", "cpuset.mems"]) {
      try {
        Deno.writeTextFileSync(join(dir, f), Deno.readTextFileSync(join(m.mountpoint, f)));
      } catch { /* not the cpuset hierarchy */ }
    }
  }
  const script = join(work, "boot.sh");
  Deno.writeTextFileSync(script, bootScript(mounts, log, unified));
  // The shell joins the fixture's cgroups, then becomes unshare: the new cgroup namespace is
  // rooted there.
  const join_ = dirs.map((d) => `echo $$ > ${d}/cgroup.procs`).join(" && ");
  const child = new Deno.Command("/bin/sh", {
    args: [
      "-c",
      `${join_} && exec unshare --pid --fork --mount --cgroup --uts --ipc --mount-proc ` +
      `/bin/sh ${script}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const removeAll = () => {
    for (const d of dirs) removeCgroupTree(d);
    Deno.removeSync(work, { recursive: true });
  };
  const fixture: Fixture = {
    pid: 0,
    cgroup: name,
    dirs,
    layout: unified ? "v2" : "v1",
    prefix: [],
    run: (argv) => command([...fixture.prefix, ...argv]),
    hostPath: (controller, path) =>
      unified
        ? join(cgroup2!.mountpoint, name, path)
        : join("/sys/fs/cgroup", controller, name, path),
    async show(unit, ...names) {
      const r = await fixture.run(["systemctl", "show", unit, ...names.flatMap((n) => ["-p", n])]);
      if (r.code !== 0) throw new Error(`systemctl show ${unit}: ${r.stderr.trim()}`);
      const lines = r.stdout.trim().split("\n").map((l) => l.split(/=(.*)/s, 2));
      return Object.fromEntries(lines);
    },
    dirsOf: (path) =>
      dirs.map((d) => join(d, path)).filter((d) => {
        try {
          return Deno.statSync(d).isDirectory;
        } catch {
          return false;
        }
      }),
    kill() {
      if (fixture.pid) Deno.kill(fixture.pid, "SIGKILL");
      else child.kill("SIGKILL");
      // The pid namespace dies with its init, and with it every process of the fixture.
      removeAll();
    },
    log: () => {
      try {
        return Deno.readTextFileSync(log).split("\n").slice(0, 40).join("\n");
      } catch {
        return "(no output)";
      }
    },
    async stop() {
      if (fixture.pid) {
        // A clean exit stops every unit, as a shutdown would; a stuck one is killed with its
        // pid namespace.
        await fixture.run(["systemctl", "exit"]).catch(() => {});
        let timer: ReturnType<typeof setTimeout> | undefined;
        const exited = await Promise.race([
          child.status.then(() => true),
          new Promise<false>((r) => timer = setTimeout(r, 15_000, false)),
        ]);
        clearTimeout(timer);
        if (!exited) Deno.kill(fixture.pid, "SIGKILL");
      } else {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }
      await child.status;
      removeAll();
    },
  };
  try {
    const pid = await until(() => childrenOf(child.pid)[0], (p) => p !== undefined, 10_000);
    if (pid === undefined) throw new Error("unshare started no systemd");
    fixture.pid = pid;
    fixture.prefix = ["nsenter", "-t", String(pid), "-m", "-p", "-C", "-u", "-i", "--"];
    const up = (s: string) => s === "running" || s === "degraded";
    const state = await until(
      async () => (await fixture.run(["systemctl", "is-system-running"])).stdout.trim(),
      up,
      30_000,
    );
    if (!up(state)) throw new Error(`systemd did not come up (${state}):\n${fixture.log()}`);
  } catch (e) {
    await fixture.stop();
    throw e;
  }
  return fixture;
}

/** Stops the fixture and asserts that it left no process, cgroup or directory behind. */
export async function stopClean(f: Fixture): Promise<void> {
  await f.stop();
  assert.deepEqual(processesMatching(f.cgroup), []);
  for (const dir of f.dirs) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
  assert.throws(() => Deno.statSync(`/proc/${f.pid}`), Deno.errors.NotFound);
}
