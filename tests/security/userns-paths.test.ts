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
