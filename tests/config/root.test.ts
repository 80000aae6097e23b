// The root switch with and without a mount namespace of the container's own: chroot only (no
// mount reaches the host) and hooks still run; a joined mount namespace gets the whole setup,
// as runc does.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { dropNamespaces, mountAt, parseMountinfo, runScript, uniqueId } from "./util.ts";

const ignore = requireRoot("running containers");

Deno.test(
  { name: "no mount namespace: chroot into the rootfs, hooks still run", ignore },
  async () => {
    const marker = await Deno.makeTempFile({ prefix: "tsrun-cfg-hook-" });
    await Deno.remove(marker);
    try {
      const r = await runScript(
        "ls /only-in-rootfs; readlink /proc/1/ns/mnt || echo no-proc",
        (c, b) => {
          dropNamespaces(c, "mount");
          c.mounts = [];
          c.hooks = { prestart: [{ path: "/bin/sh", args: ["sh", "-c", `echo ran > ${marker}`] }] };
          Deno.writeTextFileSync(join(b.rootfs, "only-in-rootfs"), "");
        },
      );
      assertEquals([r.code, r.stdout], [0, "/only-in-rootfs\nno-proc\n"], r.stderr);
      assertEquals(Deno.readTextFileSync(marker), "ran\n");
      // The bundle's cleanup (in runScript) fails if anything is left mounted under it.
    } finally {
      await Deno.remove(marker).catch(() => {});
    }
  },
);

Deno.test({ name: "a joined mount namespace gets the mounts and the pivot", ignore }, async () => {
  const holder = new Deno.Command("unshare", {
    args: ["--mount", "--propagation", "private", "sleep", "60"],
  }).spawn();
  try {
    let ns = "";
    for (let i = 0; i < 50 && !ns; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const own = Deno.readLinkSync("/proc/self/ns/mnt");
      const theirs = Deno.readLinkSync(`/proc/${holder.pid}/ns/mnt`);
      if (theirs !== own) ns = theirs;
    }
    ok(ns, "unshare made its namespace");
    const r = await runScript("readlink /proc/self/ns/mnt; cat /proc/self/mountinfo", (c) => {
      c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
        n.type === "mount" ? { type: "mount", path: `/proc/${holder.pid}/ns/mnt` } : n
      );
    });
    assertEquals(r.code, 0, r.stderr);
    const [inode, ...info] = r.stdout.split("\n");
    assertEquals(inode, ns);
    const mounts = parseMountinfo(info.join("\n"));
    assertEquals(mountAt(mounts, "/proc")?.fstype, "proc");
    ok(mountAt(mounts, "/")!.root.endsWith("/rootfs"), "pivoted into the bundle's rootfs");
  } finally {
    holder.kill("SIGKILL");
    await holder.status;
  }
});

Deno.test({ name: "create and start need no /proc in the container", ignore }, async () => {
  for (const withMountNs of [true, false]) {
    const b = await makeBundle({ args: ["sh", "-c", "echo started > /out/started"] });
    const id = uniqueId("noproc");
    try {
      b.config.mounts = withMountNs
        ? [{ destination: "/out", type: "bind", source: b.dir, options: ["bind"] }]
        : [];
      if (!withMountNs) {
        dropNamespaces(b.config, "mount");
        b.config.root.readonly = false;
        Deno.symlinkSync("/", join(b.rootfs, "out"));
      }
      b.writeConfig();
      const created = await tsrun(["create", "-b", b.dir, id]);
      assertEquals(created.code, 0, created.stderr);
      const started = await tsrun(["start", id]);
      assertEquals(started.code, 0, started.stderr);
      const out = withMountNs ? join(b.dir, "started") : join(b.rootfs, "started");
      for (let i = 0; i < 100 && !(await Deno.stat(out).catch(() => null)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assertEquals(Deno.readTextFileSync(out), "started\n", `mount namespace: ${withMountNs}`);
    } finally {
      await tsrun(["delete", "--force", id]);
      await b.cleanup();
    }
  }
});
