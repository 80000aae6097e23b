// A user-namespaced init opens no host path: neither tsrun's own files nor the state root need to
// be reachable by the ids the container maps root to. containerd keeps the state root under a
// 0700 /run/containerd; tsrun is often installed under /root or ~/bin.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { join } from "node:path";
import {
  type Config,
  hasCommand,
  makeBundle,
  REPO_ROOT,
  requireRoot,
  skipUnless,
  tsrun,
  until,
} from "../helpers/mod.ts";
import { command } from "../helpers/command.ts";

const ignore = requireRoot("user namespaces");

function userns(c: Config): void {
  c.linux.namespaces.push({ type: "user" });
  c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
  c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
}

/** A 0700 directory (root's only) for the test, removed afterwards. */
async function withPrivateDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-0700-" });
  Deno.chmodSync(dir, 0o700);
  try {
    await body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({ name: "userns: a state root under a 0700 directory", ignore }, async () => {
  const b = await makeBundle({ args: ["true"], config: userns });
  await withPrivateDir(async (dir) => {
    const root = join(dir, "state");
    const id = `priv-root-${Deno.pid}`;
    try {
      const c = await tsrun(["create", "-b", b.dir, id], { root });
      assertEquals([c.code, c.stderr], [0, ""]);
      assertEquals((await tsrun(["start", id], { root })).code, 0);
      const status = async () => {
        const r = await tsrun(["state", id], { root });
        return r.code === 0 ? JSON.parse(r.stdout).status : r.stderr;
      };
      assertEquals(await until(status, (s) => s === "stopped"), "stopped");
    } finally {
      await tsrun(["delete", "-f", id], { root });
      await b.cleanup();
    }
  });
});

Deno.test(
  {
    name: "userns: tsrun installed under a 0700 directory",
    ignore: ignore || skipUnless(hasCommand("unshare"), "needs unshare"),
  },
  async () => {
    const b = await makeBundle({ args: ["sh", "-c", "id -u; echo from-0700"], config: userns });
    await withPrivateDir(async (dir) => {
      // The project as it would sit in /root/tsrun: bound there in a private mount namespace.
      const proj = join(dir, "tsrun");
      Deno.mkdirSync(proj);
      const id = `priv-install-${Deno.pid}`;
      try {
        const r = await command([
          ...["unshare", "--mount", "--propagation", "private", "sh", "-c"],
          'mount --bind "$1" "$2" && exec "$2/scripts/tsrun" --root "$3" run -b "$4" "$5"',
          ...["sh", REPO_ROOT, proj, join(dir, "state"), b.dir, id],
        ]);
        assertEquals([r.code, r.stdout, r.stderr], [0, "0\nfrom-0700\n", ""]);
      } finally {
        await b.cleanup();
      }
    });
  },
);

/**
 * The paths a traced tsrun's init opened from its exec until its root switch, when the ids are
 * relative to the host's root and cwd: strace lines of the init's threads (and children) whose
 * call names a path from AT_FDCWD, or connects to a socket path.
 */
function initHostPaths(trace: string): string[] {
  const tracked = new Set<string>();
  const paths: string[] = [];
  const pathCall =
    /^(\d+) +(?:open|stat|lstat|access|readlink|mkdir|unlink|rmdir|chdir|openat2?|newfstatat|statx|faccessat2?|readlinkat|mkdirat|unlinkat)\((?:AT_FDCWD, )?"([^"]*)"/;
  for (const line of trace.split("\n")) {
    const pid = line.split(" ", 1)[0];
    if (!tracked.size) {
      // The spawn child's execveat of the sealed init: from source `deno run … data:…`,
      // compiled `tsrun init`.
      if (/ execveat\(\d+, "",/.test(line)) tracked.add(pid);
      continue;
    }
    if (!tracked.has(pid)) continue;
    if (/ (pivot_root|chroot)\(/.test(line)) break;
    if (/ execve\(/.test(line)) {
      tracked.delete(pid); // a hook, or the container's process: not tsrun's code
      continue;
    }
    const clone = /clone3?\(.*\) = (\d+)$|<\.\.\. clone3? resumed>.* = (\d+)$/.exec(line);
    if (clone) tracked.add(clone[1] ?? clone[2]);
    const m = pathCall.exec(line) ?? /^(\d+) .*sun_path="([^"]*)"/.exec(line);
    if (m && m[2] !== "") paths.push(m[2]);
  }
  return paths;
}

Deno.test(
  {
    name: "userns: the init's own start opens no host file (only /proc, /sys, /dev, libraries)",
    ignore: ignore || skipUnless(hasCommand("strace"), "needs strace (apt-get install strace)"),
  },
  async () => {
    const b = await makeBundle({ args: ["true"], config: userns });
    const trace = Deno.makeTempFileSync({ prefix: "tsrun-trace-" });
    try {
      const rootfs = Deno.realPathSync(join(b.dir, "rootfs"));
      const r = await tsrun(["run", "-b", b.dir, `init-paths-${Deno.pid}`], {
        prefix: ["strace", "-f", "-qq", "-o", trace, "-e", "trace=%file,%process,connect"],
      });
      assertEquals([r.code, r.stderr], [0, ""]);
      const paths = initHostPaths(Deno.readTextFileSync(trace));
      // Deno reads its own limits from /proc and /sys, seeds from /dev/urandom and opens "/" once
      // (a directory, no file); the dynamic loader reads its libraries. Anything else (the
      // caller's home, passwd, the zone files, tsrun's files, the state root) is a host file the
      // container's mapped root may not, or must not, reach.
      const host = paths.filter((p) =>
        !/^\/(proc|sys|dev)(\/|$)|^\/etc\/ld\.so\.(cache|preload)$|^\/(usr\/)?lib(64)?\//.test(p) &&
        p !== "/" && p !== rootfs && !p.startsWith(`${rootfs}/`)
      );
      if (!paths.length) throw new Error("strace saw no path of the init: the trace is not parsed");
      assertEquals(host, []);
    } finally {
      Deno.removeSync(trace);
      await b.cleanup();
    }
  },
);
