// config.mounts in real containers: types, flags, bind/rbind, propagation, recursive attributes,
// symlinked destinations, nesting and refusals, all read back from /proc/self/mountinfo inside.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { leftovers, requireRoot } from "../helpers/mod.ts";
import { mountAt, parseMountinfo, runScript } from "./util.ts";

const ignore = requireRoot("running containers");
const MOUNTINFO = "cat /proc/self/mountinfo";

/** A host directory with a tmpfs mounted on it (mounts are undone by the returned function). */
async function hostTmpfs(options = "size=1m"): Promise<{ dir: string; undo: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "tsrun-cfg-host-" });
  const mounted: string[] = [];
  const sh = async (cmd: string) => {
    const r = await new Deno.Command("sh", { args: ["-c", cmd] }).output();
    if (!r.success) throw new Error(`${cmd}: ${new TextDecoder().decode(r.stderr)}`);
  };
  await sh(`mount -t tmpfs -o ${options} tsrun-test ${dir}`);
  mounted.push(dir);
  return {
    dir,
    async undo() {
      await sh(`umount -R ${dir}`).catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({ name: "mounts: flags and tmpfs data reach the kernel", ignore }, async () => {
  const r = await runScript(`${MOUNTINFO}; stat -c %a /m/tmp`, (c) => {
    c.mounts.push(
      {
        destination: "/m/tmp",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "nodev", "noexec", "noatime", "size=1m", "mode=700"],
      },
      { destination: "/m/ro", type: "tmpfs", source: "tmpfs", options: ["ro", "strictatime"] },
      {
        destination: "/m/rel",
        type: "tmpfs",
        source: "tmpfs",
        options: ["relatime", "nodiratime"],
      },
    );
  });
  assertEquals(r.code, 0, r.stderr);
  const mounts = parseMountinfo(r.stdout);
  const tmp = mountAt(mounts, "/m/tmp")!;
  for (const o of ["rw", "nosuid", "nodev", "noexec", "noatime"]) ok(tmp.options.includes(o), o);
  ok(tmp.superOptions.includes("size=1024k") && tmp.superOptions.includes("mode=700"));
  const ro = mountAt(mounts, "/m/ro")!;
  ok(ro.options.includes("ro"), "ro after the delayed remount");
  ok(
    !ro.options.some((o) => o.endsWith("atime")),
    `strictatime shows no atime flag: ${ro.options}`,
  );
  const rel = mountAt(mounts, "/m/rel")!;
  ok(rel.options.includes("relatime") && rel.options.includes("nodiratime"));
  assertEquals(r.stdout.trim().split("\n").at(-1), "700");
});

Deno.test(
  { name: "mounts: a tmpfs keeps the mode of the directory it covers", ignore },
  async () => {
    const r = await runScript("stat -c %a /covered /given", (c, b) => {
      Deno.mkdirSync(join(b.rootfs, "covered"), { mode: 0o711 });
      Deno.chmodSync(join(b.rootfs, "covered"), 0o711);
      Deno.mkdirSync(join(b.rootfs, "given"));
      c.mounts.push(
        { destination: "/covered", type: "tmpfs", source: "tmpfs" },
        { destination: "/given", type: "tmpfs", source: "tmpfs", options: ["mode=1777"] },
      );
    });
    assertEquals([r.code, r.stdout], [0, "711\n1777\n"], r.stderr);
  },
);

Deno.test(
  { name: "mounts: bind, rbind, ro, rro, file and bundle-relative sources", ignore },
  async () => {
    const host = await hostTmpfs();
    const sub = await hostTmpfs();
    try {
      Deno.writeTextFileSync(join(host.dir, "top.txt"), "top\n");
      Deno.mkdirSync(join(host.dir, "sub"));
      await new Deno.Command("mount", { args: ["--bind", sub.dir, join(host.dir, "sub")] })
        .output();
      Deno.writeTextFileSync(join(sub.dir, "inner.txt"), "inner\n");
      const r = await runScript(
        `${MOUNTINFO}; echo ---; cat /m/bind/top.txt /m/rbind/sub/inner.txt /m/file.txt /m/rel/r.txt; ` +
          "ls /m/bind/sub; touch /m/ro/x 2>&1; touch /m/rro/sub/x 2>&1; touch /m/rbind/sub/ok && echo writable",
        (c, b) => {
          Deno.writeTextFileSync(join(b.dir, "file.txt"), "file\n");
          Deno.mkdirSync(join(b.dir, "data"));
          Deno.writeTextFileSync(join(b.dir, "data", "r.txt"), "relative\n");
          c.mounts.push(
            { destination: "/m/bind", type: "bind", source: host.dir, options: ["bind"] },
            { destination: "/m/rbind", type: "bind", source: host.dir, options: ["rbind"] },
            { destination: "/m/ro", type: "bind", source: host.dir, options: ["bind", "ro"] },
            { destination: "/m/rro", type: "bind", source: host.dir, options: ["rbind", "rro"] },
            {
              destination: "/m/file.txt",
              type: "bind",
              source: join(b.dir, "file.txt"),
              options: ["bind"],
            },
            { destination: "/m/rel", source: "data", options: ["bind"] },
          );
        },
      );
      assertEquals(r.code, 0, r.stderr);
      const [info, out] = r.stdout.split("---\n");
      const mounts = parseMountinfo(info);
      ok(!mountAt(mounts, "/m/bind/sub"), "bind is not recursive");
      ok(mountAt(mounts, "/m/rbind/sub"), "rbind takes the submount");
      ok(mountAt(mounts, "/m/ro")!.options.includes("ro"));
      ok(mountAt(mounts, "/m/rro")!.options.includes("ro"));
      ok(mountAt(mounts, "/m/rro/sub")!.options.includes("ro"), "rro reaches the submount");
      ok(mountAt(mounts, "/m/rbind/sub")!.options.includes("rw"));
      assertEquals(
        out.split("\n").slice(0, 4),
        ["top", "inner", "file", "relative"],
      );
      match(out, /touch: \/m\/ro\/x: Read-only file system/);
      match(out, /touch: \/m\/rro\/sub\/x: Read-only file system/);
      match(out, /writable/);
    } finally {
      await host.undo();
      await sub.undo();
    }
  },
);

Deno.test({ name: "mounts: propagation options and rootfsPropagation", ignore }, async () => {
  const host = await hostTmpfs();
  try {
    // A shared host mount: its copy in the container becomes a slave of it.
    await new Deno.Command("mount", { args: ["--make-shared", host.dir] }).output();
    const r = await runScript(MOUNTINFO, (c) => {
      c.linux.rootfsPropagation = "shared";
      c.mounts.push(
        { destination: "/m/shared", type: "bind", source: host.dir, options: ["rbind", "shared"] },
        {
          destination: "/m/private",
          type: "bind",
          source: host.dir,
          options: ["rbind", "rprivate"],
        },
        { destination: "/m/slave", type: "bind", source: host.dir, options: ["rbind", "rslave"] },
        {
          destination: "/m/unbind",
          type: "bind",
          source: host.dir,
          options: ["rbind", "unbindable"],
        },
      );
    });
    assertEquals(r.code, 0, r.stderr);
    const mounts = parseMountinfo(r.stdout);
    const opt = (p: string) => mountAt(mounts, p)!.optional.join(" ");
    match(opt("/"), /shared:\d+/, "rootfsPropagation shared");
    match(opt("/m/shared"), /shared:\d+/);
    assertEquals(opt("/m/private"), "");
    match(opt("/m/slave"), /^master:\d+$/);
    match(opt("/m/unbind"), /unbindable/);
    // The container's shared root is a peer group of its own, not the host's.
    const hostPeers = parseMountinfo(Deno.readTextFileSync("/proc/self/mountinfo"))
      .flatMap((m) => m.optional).filter((o) => o.startsWith("shared:"));
    ok(!hostPeers.includes(opt("/").match(/shared:\d+/)![0]));
  } finally {
    await host.undo();
  }
});

Deno.test({ name: "mounts: a slave mount sees what the host mounts later", ignore }, async () => {
  const host = await hostTmpfs();
  const late = await hostTmpfs();
  try {
    await new Deno.Command("mount", { args: ["--make-shared", host.dir] }).output();
    Deno.mkdirSync(join(host.dir, "late"));
    Deno.writeTextFileSync(join(late.dir, "marker"), "arrived\n");
    const script = "i=0; while [ ! -e /m/slave/late/marker ] && [ $i -lt 100 ]; do " +
      "sleep 0.1; i=$((i+1)); done; cat /m/slave/late/marker";
    const running = runScript(script, (c) => {
      c.mounts.push({
        destination: "/m/slave",
        type: "bind",
        source: host.dir,
        options: ["rbind", "rslave"],
      });
    });
    await new Promise((r) => setTimeout(r, 1500));
    await new Deno.Command("mount", { args: ["--bind", late.dir, join(host.dir, "late")] })
      .output();
    const r = await running;
    assertEquals([r.code, r.stdout], [0, "arrived\n"], r.stderr);
  } finally {
    await host.undo();
    await late.undo();
  }
});

Deno.test(
  { name: "mounts: destinations through symlinks stay inside the rootfs", ignore },
  async () => {
    const mark = `tsrun-mark-${Deno.pid}`;
    const r = await runScript(
      `grep -c ' /etc/${mark} ' /proc/self/mountinfo; grep -c ' /tmp/${mark} ' /proc/self/mountinfo`,
      (c, b) => {
        Deno.symlinkSync("/etc", join(b.rootfs, "hostetc"));
        Deno.symlinkSync("../../../../../../../../../../tmp", join(b.rootfs, "up"));
        c.mounts.push(
          { destination: `/hostetc/${mark}`, type: "tmpfs", source: "tmpfs" },
          { destination: `/up/${mark}`, type: "tmpfs", source: "tmpfs" },
        );
      },
    );
    assertEquals([r.code, r.stdout], [0, "1\n1\n"], r.stderr);
    for (const p of [`/etc/${mark}`, `/tmp/${mark}`]) {
      ok(!(await Deno.stat(p).then(() => true, () => false)), `${p} must not exist on the host`);
    }
  },
);

Deno.test({ name: "mounts: nested mounts are made in order", ignore }, async () => {
  const r = await runScript(`${MOUNTINFO}; echo ---; cat /a/b/c/f`, (c, b) => {
    Deno.writeTextFileSync(join(b.dir, "f"), "deep\n");
    c.mounts.push(
      { destination: "/a", type: "tmpfs", source: "tmpfs" },
      { destination: "/a/b", type: "tmpfs", source: "tmpfs" },
      { destination: "/a/b/c/f", type: "bind", source: join(b.dir, "f"), options: ["bind"] },
    );
  });
  assertEquals(r.code, 0, r.stderr);
  const [info, out] = r.stdout.split("---\n");
  const points = parseMountinfo(info).map((m) => m.mountpoint);
  ok(
    points.indexOf("/a") < points.indexOf("/a/b") &&
      points.indexOf("/a/b") < points.indexOf("/a/b/c/f"),
  );
  assertEquals(out, "deep\n");
});

Deno.test(
  { name: "mounts: refusals name the mount and leave nothing behind", ignore },
  async () => {
    const cases: [string, (c: Record<string, unknown>, rootfs: string) => void, RegExp][] = [
      [
        "under /proc",
        (c) =>
          (c.mounts as unknown[]).push({
            destination: "/proc/sys",
            type: "tmpfs",
            source: "tmpfs",
          }),
        /\/proc\/sys cannot be mounted because it is inside \/proc/,
      ],
      [
        "proc on a symlink",
        (c, rootfs) => {
          Deno.symlinkSync("/tmp", join(rootfs, "p2"));
          (c.mounts as unknown[]).push({ destination: "/p2", type: "proc", source: "proc" });
        },
        /proc must be mounted on an ordinary directory/,
      ],
      [
        "missing bind source",
        (c) =>
          (c.mounts as unknown[]).push({
            destination: "/x",
            type: "bind",
            source: "/nonexistent-src",
            options: ["bind"],
          }),
        /\/mounts\/6.*\/nonexistent-src/,
      ],
    ];
    for (const [what, edit, message] of cases) {
      const id = `refuse-${cases.findIndex((x) => x[0] === what)}`;
      const r = await runScript("true", (c, b) => edit(c, b.rootfs), { id });
      ok(r.code !== 0, what);
      match(r.stderr, message, what);
      assertEquals(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
      assertEquals(leftovers({ marker: id }), { mounts: [], cgroups: [], processes: [] }, what);
    }
  },
);

Deno.test({ name: "mounts: tmpcopyup starts a tmpfs with what it covers", ignore }, async () => {
  const r = await runScript(
    "stat -c '%n %a %u:%g' /seed/file /seed/sub /seed/sub/inner; readlink /seed/link; " +
      "cat /seed/sub/inner; touch /seed/new && echo writable; grep -c ' /seed ' /proc/self/mountinfo",
    (c, b) => {
      const seed = join(b.rootfs, "seed");
      Deno.mkdirSync(join(seed, "sub"), { recursive: true });
      Deno.writeTextFileSync(join(seed, "file"), "f");
      Deno.chmodSync(join(seed, "file"), 0o640);
      Deno.chownSync(join(seed, "file"), 5, 6);
      Deno.chmodSync(join(seed, "sub"), 0o700);
      Deno.writeTextFileSync(join(seed, "sub", "inner"), "inner\n");
      Deno.symlinkSync("/etc/passwd", join(seed, "link"));
      c.mounts.push({
        destination: "/seed",
        type: "tmpfs",
        source: "tmpfs",
        options: ["tmpcopyup"],
      });
    },
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.split("\n"), [
    "/seed/file 640 5:6",
    "/seed/sub 700 0:0",
    "/seed/sub/inner 644 0:0",
    "/etc/passwd",
    "inner",
    "writable",
    "1",
    "",
  ]);
});
