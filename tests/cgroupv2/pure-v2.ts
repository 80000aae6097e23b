// A pure cgroup v2 host inside this one: a private mount namespace whose /sys/fs/cgroup is the
// cgroup2 hierarchy alone (a hybrid host's v1 mounts and its /sys/fs/cgroup/unified are gone
// there), held open by a shell that lives as long as this test file. Every tsrun call of a test
// runs in it through nsenter, so create, exec, pause, delete... all see the same layout.
import { parseMountinfo } from "../../runtime/cgroups/detect.ts";
import { hasCommand, type RunResult, stateRoot, tsrun } from "../helpers/mod.ts";

// Unmounts whatever is at /sys/fs/cgroup (hybrid or v1 trees; on a v2 host, the v2 mount) and
// mounts the cgroup2 hierarchy there; then holds the namespace until stdin closes (this process
// ended) or it is killed.
const SETUP = `
umount -R -l /sys/fs/cgroup 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup || exit 1
echo ready
read -r _
`;

export class PureV2 {
  private constructor(private readonly holder: Deno.ChildProcess) {}

  /** The namespace's /sys/fs/cgroup as this process reaches it. */
  get cgroupRoot(): string {
    return `/proc/${this.holder.pid}/root/sys/fs/cgroup`;
  }

  /** The namespace's mount table. */
  mountinfo(): string {
    return Deno.readTextFileSync(`/proc/${this.holder.pid}/mountinfo`);
  }

  /** A command line prefix that runs the rest in the namespace. */
  get enter(): string[] {
    return ["nsenter", `--mount=/proc/${this.holder.pid}/ns/mnt`, "--"];
  }

  /** Controllers the hierarchy's root offers. */
  controllers(): string[] {
    return Deno.readTextFileSync(`${this.cgroupRoot}/cgroup.controllers`).trim().split(/\s+/)
      .filter((c) => c !== "");
  }

  /** The container's cgroup directory (from its state) as this process reaches it. */
  cgroupDir(id: string): string {
    const state = JSON.parse(Deno.readTextFileSync(`${stateRoot()}/${id}/state.json`));
    return `/proc/${this.holder.pid}/root${state.cgroup.paths[""]}`;
  }

  /** `tsrun --root <this file's state root> ...args` inside the namespace (paths absolute:
   * entering a mount namespace starts at its root directory); `cgroup` (below the hierarchy's
   * root) is the one tsrun runs in, as under a systemd session. */
  tsrun(
    args: string[],
    opts: { stdin?: string; timeout?: number; cgroup?: string } = {},
  ): Promise<RunResult> {
    return tsrun(args, {
      stdin: opts.stdin,
      timeout: opts.timeout,
      prefix: this.enter,
      cgroupProcs: opts.cgroup === undefined
        ? undefined
        : `${this.cgroupRoot}${opts.cgroup}/cgroup.procs`,
    });
  }

  /** `tsrun state ID`'s status, or the error it printed. */
  async status(id: string): Promise<string> {
    const r = await this.tsrun(["state", id]);
    return r.code === 0 ? JSON.parse(r.stdout).status : `error: ${r.stderr.trim()}`;
  }

  async pid(id: string): Promise<number> {
    const r = await this.tsrun(["state", id]);
    if (r.code !== 0) throw new Error(`state ${id}: ${r.stderr}`);
    return JSON.parse(r.stdout).pid;
  }

  /** Cgroup directories below the hierarchy whose path contains `marker`, and the namespace's
   * mounts under `path`: what a deleted container must not leave. */
  leftovers(marker: string, path: string): { cgroups: string[]; mounts: string[] } {
    const cgroups: string[] = [];
    const walk = (dir: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        return; // removed while walking
      }
      for (const e of entries.filter((e) => e.isDirectory)) {
        if (e.name.includes(marker)) cgroups.push(`${dir}/${e.name}`);
        walk(`${dir}/${e.name}`);
      }
    };
    walk(this.cgroupRoot);
    const mounts = parseMountinfo(this.mountinfo()).map((m) => m.mountpoint)
      .filter((p) => p === path || p.startsWith(`${path}/`));
    return { cgroups: cgroups.map((c) => c.slice(this.cgroupRoot.length)), mounts };
  }

  /** Sets up the namespace, or says why it cannot be (the tests then skip with that reason). */
  static async open(): Promise<PureV2 | string> {
    if (Deno.uid() !== 0) return "a private cgroup2 mount needs root";
    for (const cmd of ["unshare", "nsenter", "mount", "umount"]) {
      if (!hasCommand(cmd)) return `no ${cmd} command`;
    }
    const holder = new Deno.Command("unshare", {
      args: ["--mount", "--propagation", "private", "/bin/sh", "-c", SETUP],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    const first = await reader.read();
    reader.releaseLock();
    const v2 = new PureV2(holder);
    if (new TextDecoder().decode(first.value ?? new Uint8Array()).trim() !== "ready") {
      v2.close();
      const err = new TextDecoder().decode((await holder.stderr.getReader().read()).value);
      return `could not mount cgroup2 at /sys/fs/cgroup in a new mount namespace: ${err.trim()}`;
    }
    globalThis.addEventListener("unload", () => v2.close());
    const cgroupMounts = parseMountinfo(v2.mountinfo())
      .filter((m) =>
        m.mountpoint === "/sys/fs/cgroup" || m.mountpoint.startsWith("/sys/fs/cgroup/")
      );
    if (cgroupMounts.length !== 1 || cgroupMounts[0].fstype !== "cgroup2") {
      v2.close();
      return `/sys/fs/cgroup is not one cgroup2 mount: ${JSON.stringify(cgroupMounts)}`;
    }
    return v2;
  }

  close(): void {
    try {
      this.holder.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}
