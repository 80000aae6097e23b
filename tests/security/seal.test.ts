// What tsrun executes inside a container is a sealed image nobody can reopen for writing, and the
// init is started by descriptor: syscalls/seal.ts on its own, then on a real container's init.
import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { join } from "node:path";
import { makeBundle, REPO_ROOT, requireRoot, until } from "../helpers/mod.ts";
import {
  errno,
  libc,
  O_APPEND,
  O_CLOEXEC,
  O_RDONLY,
  O_WRONLY,
  openFd,
} from "../../syscalls/libc.ts";
import { SyscallError } from "../../syscalls/errors.ts";
import { EPERM, EROFS, ETXTBSY } from "../../syscalls/errno.ts";
import { readOnlyMount, sealedMemfd, sealFile } from "../../syscalls/seal.ts";
import { spawn, SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { copiedTsrun } from "./util.ts";

const ignore = requireRoot("sealing (open_tree needs CAP_SYS_ADMIN)");

function errnoOf(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof SyscallError) return e.errno;
    throw e;
  }
  throw new Error("expected a failing syscall");
}

/** A private copy of a host program that nothing else executes or holds. */
function scratchCopy(of: string): { dir: string; path: string } {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-seal-" });
  const path = join(dir, "prog");
  Deno.copyFileSync(of, path);
  Deno.chmodSync(path, 0o755);
  return { dir, path };
}

Deno.test({ name: "seal: a detached read-only mount refuses a write reopen", ignore }, () => {
  const { dir, path } = scratchCopy("/bin/true");
  try {
    const sealed = sealFile(path);
    try {
      assertEquals(sealed.how, "mount");
      assertEquals(errnoOf(() => openFd(`/proc/self/fd/${sealed.fd}`, O_WRONLY | O_APPEND)), EROFS);
      // The same file is writable by path: the refusal is the seal's.
      libc().close(openFd(path, O_WRONLY | O_APPEND));
      // And it runs, reached by no path.
      const plan = new SpawnPlan();
      plan.execveat(sealed.fd, ["true"], [], "run the sealed true");
      const child = spawn(plan);
      plan.free();
      child.resultSync();
      assertEquals(child.waitSync(), { code: 0 });
    } finally {
      libc().close(sealed.fd);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test(
  { name: "seal: the memfd fallback is an executable copy no one can change", ignore },
  () => {
    const { dir, path } = scratchCopy("/bin/echo");
    try {
      const fd = sealedMemfd(path);
      try {
        const self = `/proc/self/fd/${fd}`;
        assertEquals(Deno.readFileSync(self), Deno.readFileSync(path));
        // A memfd can be reopened for writing, but its seals refuse every change.
        throws(() => Deno.writeFileSync(self, new Uint8Array([1]), { append: true }));
        assertEquals(
          errnoOf(() => {
            const w = openFd(self, O_WRONLY | O_APPEND);
            try {
              const n = Number(libc().write(w, new Uint8Array([1]), 1n));
              if (n < 0) throw new SyscallError("write", errno());
            } finally {
              libc().close(w);
            }
          }),
          EPERM,
        );
        const out = new Deno.Command(self, { args: ["sealed"] }).outputSync();
        assertEquals(new TextDecoder().decode(out.stdout), "sealed\n");
      } finally {
        libc().close(fd);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);

Deno.test({ name: "seal: a missing file is named in the error", ignore }, () => {
  throws(() => readOnlyMount("/nonexistent/tsrun"), /open_tree.*\/nonexistent\/tsrun/);
});

Deno.test(
  { name: "the init runs from a sealed image and is started by no host path", ignore },
  async () => {
    const t = copiedTsrun();
    const b = await makeBundle({ args: ["sleep", "30"] });
    const id = `seal-${Deno.pid}`;
    let exe = -1;
    try {
      assertEquals((await t.run(["create", "-b", b.dir, id])).code, 0);
      const st = await t.run(["state", id]);
      const pid = JSON.parse(st.stdout).pid;
      // While it waits for start, the init is Deno running the bundle through descriptors.
      const text = (f: string) => Deno.readTextFileSync(`/proc/${pid}/${f}`).replaceAll("\0", " ");
      for (const f of ["cmdline", "environ"]) {
        const v = text(f);
        ok(!v.includes(REPO_ROOT) && !v.includes(t.exe), `init ${f} names a host path: ${v}`);
      }
      exe = openFd(`/proc/${pid}/exe`, O_RDONLY | O_CLOEXEC);
      assertEquals((await t.run(["delete", "-f", id])).code, 0);
      // Once nothing maps the copy (an exited tsrun's memory lingers a few ms in the helper that
      // frees it, syscalls/spawn/exit.ts), it is writable by its path, and only the seal stands
      // between the init's holder and a write.
      const writable = () => {
        try {
          libc().close(openFd(t.exe, O_WRONLY | O_APPEND));
          return true;
        } catch (e) {
          if (e instanceof SyscallError && e.errno === ETXTBSY) return false;
          throw e;
        }
      };
      assertEquals(await until(writable, (w) => w), true);
      assertEquals(errnoOf(() => openFd(`/proc/self/fd/${exe}`, O_WRONLY | O_APPEND)), EROFS);
    } finally {
      if (exe >= 0) libc().close(exe);
      await t.run(["delete", "-f", id]);
      await b.cleanup();
      t.cleanup();
    }
  },
);
