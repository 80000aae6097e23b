// A container with no new namespaces (linux.namespaces: []): the init only chroots, runs in the
// host's pid namespace and joins its cgroup. The one container qemu-user can run too
// (scripts/test-aarch64): its clone refuses namespace flags; where it also lacks execveat
// (qemu 7.2), starting the init is one clear error and leaves nothing behind.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { assertNothingLeft, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { cstr, errno, libc } from "../../syscalls/libc.ts";
import { syscallNr } from "../../syscalls/nr.ts";
import { ENOSYS } from "../../syscalls/errno.ts";

const EBADF = 9;

const ignore = requireRoot("running containers");
const AT_EMPTY_PATH = 0x1000;

/** EBADF where execveat exists (fd -1), ENOSYS where the kernel or an emulator lacks it. */
function execveatErrno(): number {
  const empty = cstr("");
  const path = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(empty)));
  const nr = BigInt(syscallNr("execveat"));
  const r = libc().syscall(nr, -1n, path, 0n, 0n, BigInt(AT_EMPTY_PATH), 0n);
  const e = errno();
  assertEquals([r, empty.length], [-1n, 1]);
  return e;
}

Deno.test(
  { name: "no new namespaces: chroot only, host namespaces, own cgroup", ignore },
  async () => {
    const id = "chroot-only";
    const b = await makeBundle({
      args: ["sleep", "60"],
      config: (c) => {
        c.linux.namespaces = [];
        // Without a mount namespace these would change the host's mounts; without a uts one
        // there is no hostname to set.
        c.mounts = [];
        delete c.linux.maskedPaths;
        delete c.linux.readonlyPaths;
        delete c.hostname;
      },
    });
    try {
      const r = await tsrun(["run", "-d", "-b", b.dir, id], { timeout: 180_000 });
      const errno = execveatErrno();
      if (errno === ENOSYS) {
        console.warn("execveat is missing here (qemu 7.2): checking the error, not the container");
        assertEquals(r.code, 1);
        assertEquals(
          r.stderr,
          "tsrun: unable to start container process: start the container init: " +
            "function not implemented (ENOSYS)\n",
        );
      } else {
        assertEquals(errno, EBADF);
        assertEquals(r.code, 0, r.stderr);
        const state = await tsrun(["state", id]);
        const pid = JSON.parse(state.stdout).pid;
        for (const ns of ["pid", "mnt", "uts", "net", "ipc"]) {
          assertEquals(
            Deno.readLinkSync(`/proc/${pid}/ns/${ns}`),
            Deno.readLinkSync(`/proc/self/ns/${ns}`),
          );
        }
        assertEquals(Deno.readLinkSync(`/proc/${pid}/root`), Deno.realPathSync(b.rootfs));
        match(
          Deno.readTextFileSync(`/proc/${pid}/cgroup`),
          new RegExp(`^\\d+:[^:\\n]*:/.*${id}`, "m"),
        );
      }
    } finally {
      await tsrun(["delete", "--force", id]);
      await b.cleanup();
    }
    assertNothingLeft({ path: b.dir, marker: id });
  },
);
