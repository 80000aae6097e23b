// User namespaces as root: several mapping ranges, file ownership through the mapping, the
// filesystems only a namespace's own root may mount, and bind remounts that must keep the
// flags a less privileged namespace cannot clear.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { assertNothingLeft, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { addUserns, mountAt, parseMountinfo, runScript, uniqueId } from "./util.ts";

const ignore = requireRoot("running containers");

Deno.test(
  { name: "userns: several ranges, and file owners seen through them", ignore },
  async () => {
    const r = await runScript(
      "cat /proc/self/uid_map /proc/self/gid_map; stat -c '%n %u:%g' /owned/a /owned/b /owned/c; " +
        "id -u; id -g",
      (c, b) => {
        c.linux.namespaces.push({ type: "user" });
        c.linux.uidMappings = [
          { containerID: 0, hostID: 100000, size: 1000 },
          { containerID: 1000, hostID: 200000, size: 1000 },
        ];
        c.linux.gidMappings = [
          { containerID: 0, hostID: 100000, size: 1000 },
          { containerID: 1000, hostID: 300000, size: 1000 },
        ];
        c.process.user = { uid: 1500, gid: 1500 };
        const dir = join(b.rootfs, "owned");
        Deno.mkdirSync(dir);
        for (
          const [name, uid, gid] of [["a", 100005, 100006], ["b", 200500, 300500], ["c", 0, 0]]
        ) {
          Deno.writeTextFileSync(join(dir, name as string), "");
          Deno.chownSync(join(dir, name as string), uid as number, gid as number);
        }
      },
    );
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
    assertEquals(lines, [
      "0 100000 1000",
      "1000 200000 1000",
      "0 100000 1000",
      "1000 300000 1000",
      "/owned/a 5:6",
      "/owned/b 1500:1500",
      "/owned/c 65534:65534",
      "1500",
      "1500",
    ]);
  },
);

Deno.test(
  { name: "userns: proc, sysfs, mqueue and tmpfs mounted from inside it", ignore },
  async () => {
    const r = await runScript(
      "cat /proc/self/mountinfo; echo ---; ls /proc/self/ns/user /sys/kernel >/dev/null && echo ok",
      (c) => addUserns(c),
    );
    assertEquals(r.code, 0, r.stderr);
    const [info, out] = r.stdout.split("---\n");
    const mounts = parseMountinfo(info);
    const types = Object.fromEntries(
      ["/proc", "/sys", "/dev/mqueue", "/dev", "/dev/shm", "/dev/pts"].map((
        p,
      ) => [p, mountAt(mounts, p)?.fstype]),
    );
    assertEquals(types, {
      "/proc": "proc",
      "/sys": "sysfs",
      "/dev/mqueue": "mqueue",
      "/dev": "tmpfs",
      "/dev/shm": "tmpfs",
      "/dev/pts": "devpts",
    });
    ok(mountAt(mounts, "/")!.options.includes("ro"), "read-only root inside the namespace");
    assertEquals(out, "ok\n");
  },
);

/** A host tmpfs with nosuid,nodev,noexec (flags a user namespace cannot clear on its binds). */
async function lockedSource(): Promise<{ dir: string; undo: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-cfg-locked-" });
  await Deno.chmod(dir, 0o755);
  const r = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "nosuid,nodev,noexec,size=1m,mode=755", "tsrun-test", dir],
  }).output();
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
  return {
    dir,
    async undo() {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test(
  { name: "userns: a read-only bind keeps the locked flags of its source", ignore },
  async () => {
    const src = await lockedSource();
    try {
      const r = await runScript("cat /proc/self/mountinfo", (c, b) => {
        addUserns(c);
        Deno.mkdirSync(join(b.rootfs, "locked"));
        c.mounts.push({
          destination: "/locked",
          type: "bind",
          source: src.dir,
          options: ["bind", "ro"],
        });
      });
      assertEquals(r.code, 0, r.stderr);
      const opts = mountAt(parseMountinfo(r.stdout), "/locked")!.options;
      for (const o of ["ro", "nosuid", "nodev", "noexec"]) ok(opts.includes(o), `${o} in ${opts}`);
      // Asking to clear one of them cannot be honoured: an error, not a silently different mount.
      const id = uniqueId("locked");
      const bad = await runScript("true", (c, b) => {
        addUserns(c);
        Deno.mkdirSync(join(b.rootfs, "locked"));
        c.mounts.push({
          destination: "/locked",
          type: "bind",
          source: src.dir,
          options: ["bind", "ro", "suid"],
        });
      }, { id });
      ok(bad.code !== 0);
      match(bad.stderr, /\/locked.*cannot clear locked mount flags/);
      assertNothingLeft({ marker: id });
    } finally {
      await src.undo();
    }
  },
);

Deno.test(
  { name: "userns: a container joining another's user and pid namespaces by path", ignore },
  async () => {
    const marker = "86441";
    const first = await makeBundle({ args: ["sleep", marker] });
    const id = uniqueId("join-user");
    try {
      addUserns(first.config);
      first.writeConfig();
      let r = await tsrun(["run", "-d", "-b", first.dir, id]);
      assertEquals([r.code, r.stderr], [0, ""]);
      const pid = JSON.parse((await tsrun(["state", id])).stdout).pid;
      // Its root is the joined namespace's root (it may mount its own /proc), and its pid 1 the
      // first container's process.
      r = await runScript("id -u; cat /proc/self/uid_map; tr '\\0' ' ' </proc/1/cmdline", (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
          n.type === "pid" ? { type: "pid", path: `/proc/${pid}/ns/pid` } : n
        );
        c.linux.namespaces.push({ type: "user", path: `/proc/${pid}/ns/user` });
      });
      assertEquals([r.code, r.stderr], [0, ""]);
      const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
      assertEquals(lines, ["0", "0 100000 65536", `sleep ${marker}`]);
    } finally {
      await tsrun(["delete", "--force", id]);
      await first.cleanup();
    }
    assertNothingLeft({ marker });
  },
);

Deno.test(
  {
    name: "userns: joining one with a pid namespace of its own: forked into it and its cgroup",
    ignore,
  },
  async () => {
    const marker = "86445";
    const first = await makeBundle({ args: ["sleep", marker] });
    const id = uniqueId("join-user-pid");
    const second = uniqueId("own-pid");
    try {
      addUserns(first.config);
      first.writeConfig();
      let r = await tsrun(["run", "-d", "-b", first.dir, id]);
      assertEquals([r.code, r.stderr], [0, ""]);
      const pid = JSON.parse((await tsrun(["state", id])).stdout).pid;
      // The new pid namespace is made inside the joined user namespace, and takes in a fork:
      // the init create moves into the container's cgroup is that fork (pid 1 here).
      r = await runScript(
        'echo $$; grep -c "/${CG}$" /proc/self/cgroup',
        (c) => {
          c.linux.namespaces.push({ type: "user", path: `/proc/${pid}/ns/user` });
          c.process.env.push(`CG=${second}`);
        },
        { id: second },
      );
      assertEquals(r.stderr, "");
      const [own, inCgroup] = r.stdout.trim().split("\n");
      assertEquals(own, "1");
      ok(Number(inCgroup) > 0, `in its cgroup: ${r.stdout}`);
    } finally {
      await tsrun(["delete", "--force", id]);
      await first.cleanup();
    }
    assertNothingLeft({ marker });
  },
);
