// Rootless: a real unprivileged user (a fixed test user, made on first use with /etc/subuid
// entries) runs tsrun on a bundle it owns, with the config `spec --rootless` writes: no cgroup
// (it may not make one), a user namespace mapping only itself, the default state root.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { type Config, hasCommand, processesMatching, skipUnless } from "../helpers/mod.ts";
import { asUserArgv, command } from "../helpers/command.ts";
import {
  asUser,
  rootlessBundle,
  rootlessMissing,
  subordinateIds,
  testUser,
  USER,
  userTsrun,
} from "./user.ts";

const ignore = rootlessMissing();

/** The user's default state root without $XDG_RUNTIME_DIR; removed after each test. */
const defaultRoot = (uid: number) => `/tmp/tsrun-${uid}`;

function removeRoot(uid: number): void {
  try {
    Deno.removeSync(defaultRoot(uid), { recursive: true });
  } catch { /* never made */ }
}

Deno.test(
  { name: "rootless: spec --rootless, then run: output and exit code", ignore },
  async () => {
    const user = await testUser();
    const b = await rootlessBundle(user, ["sh", "-c", "id -u; id -g; echo pid=$$; exit 3"]);
    try {
      const r = await asUser(user, ["run", "-b", ".", "rl-run"], { cwd: b.dir });
      assertEquals(r.stderr, "");
      assertEquals(r.code, 3);
      assertEquals(r.stdout, "0\n0\npid=1\n");
      const st = Deno.statSync(defaultRoot(user.uid));
      assertEquals([st.uid, (st.mode ?? 0) & 0o777], [user.uid, 0o700]);
      assertEquals([...Deno.readDirSync(defaultRoot(user.uid))], [], "run deleted its state");
    } finally {
      removeRoot(user.uid);
      await b.cleanup();
    }
  },
);

Deno.test({ name: "rootless: the lifecycle, and nothing left", ignore }, async () => {
  const user = await testUser();
  const marker = "86413";
  const b = await rootlessBundle(user, ["sleep", marker]);
  const env = { XDG_RUNTIME_DIR: b.dir };
  const tsrun = (...args: string[]) => asUser(user, args, { cwd: b.dir, env });
  try {
    let r = await tsrun("create", "rl-life");
    assertEquals([r.code, r.stderr], [0, ""]);
    const state = () => tsrun("state", "rl-life").then((s) => JSON.parse(s.stdout));
    assertEquals((await state()).status, "created");
    r = await tsrun("start", "rl-life");
    assertEquals([r.code, r.stderr], [0, ""]);
    const running = await state();
    assertEquals(running.status, "running");
    ok(
      Deno.statSync(join(b.dir, "tsrun", "rl-life", "state.json")).isFile,
      "$XDG_RUNTIME_DIR/tsrun",
    );
    r = await tsrun("list", "--format", "json");
    assertEquals(JSON.parse(r.stdout).map((c: Config) => [c.id, c.owner]), [["rl-life", USER]]);
    r = await tsrun("ps", "--format", "json", "rl-life");
    assertEquals(JSON.parse(r.stdout), [running.pid], r.stderr);
    // In the container's pid namespace: its pid 1 is the container's process.
    r = await tsrun("exec", "rl-life", "sh", "-c", "id -u; tr '\\0' ' ' </proc/1/cmdline; exit 7");
    assertEquals([r.code, r.stdout, r.stderr], [7, "0\nsleep 86413 ", ""]);
    r = await tsrun("pause", "rl-life");
    assertEquals(r.code, 1);
    match(r.stderr, /^tsrun: cannot freeze \(pause\): container rl-life has no cgroup/);
    r = await tsrun("kill", "rl-life", "KILL");
    assertEquals([r.code, r.stderr], [0, ""]);
    for (let i = 0; i < 100 && (await state()).status !== "stopped"; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
    }
    assertEquals((await state()).status, "stopped");
    r = await tsrun("delete", "rl-life");
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals([...Deno.readDirSync(join(b.dir, "tsrun"))], []);
    assertEquals(processesMatching(marker), []);
  } finally {
    await tsrun("delete", "--force", "rl-life");
    await b.cleanup();
  }
});

Deno.test(
  { name: "rootless: a limit without a cgroup fails naming the field", ignore },
  async () => {
    const user = await testUser();
    const marker = "86417";
    const b = await rootlessBundle(
      user,
      ["sleep", marker],
      (c) => (c.linux.resources = { pids: { limit: 10 } }),
    );
    try {
      const r = await asUser(user, ["run", "-b", ".", "rl-limit"], { cwd: b.dir });
      assertEquals(r.code, 1);
      match(
        r.stderr,
        /^tsrun: linux\.resources\.pids\.limit: cannot be applied: rootless, and mkdir /,
      );
      assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
      assertEquals([...Deno.readDirSync(defaultRoot(user.uid))], []);
      assertEquals(processesMatching(marker), []);
    } finally {
      removeRoot(user.uid);
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "rootless: a default state root someone else owns is refused", ignore },
  async () => {
    const user = await testUser();
    const dir = Deno.makeTempDirSync({ prefix: "tsrun-xdg-" });
    try {
      Deno.chmodSync(dir, 0o755);
      Deno.mkdirSync(join(dir, "tsrun"), { mode: 0o755 });
      const r = await asUser(user, ["list"], { env: { XDG_RUNTIME_DIR: dir } });
      assertEquals(r.code, 1);
      match(
        r.stderr,
        new RegExp(`^tsrun: state root ${dir}/tsrun: not a directory owned by uid ${user.uid}`),
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);

/** Root to the user itself, and container ids 1..65536 to its subordinate ids (newuidmap). */
function rangedMaps(c: Config): void {
  const [uid, gid] = [c.linux.uidMappings[0].hostID, c.linux.gidMappings[0].hostID];
  const [subUid, subGid] = [subordinateIds("/etc/subuid"), subordinateIds("/etc/subgid")];
  c.linux.uidMappings = [
    { containerID: 0, hostID: uid, size: 1 },
    { containerID: 1, hostID: subUid.start, size: 65536 },
  ];
  c.linux.gidMappings = [
    { containerID: 0, hostID: gid, size: 1 },
    { containerID: 1, hostID: subGid.start, size: 65536 },
  ];
  // chown needs CAP_CHOWN, which spec's default set lacks; the test writes into its rootfs.
  for (const set of Object.values(c.process.capabilities as Record<string, string[]>)) {
    set.push("CAP_CHOWN");
  }
  c.root.readonly = false;
}

const ignoreHelpers = ignore ||
  skipUnless(
    hasCommand("newuidmap") && hasCommand("newgidmap"),
    "newuidmap/newgidmap are not installed (apt-get install uidmap)",
  );

Deno.test(
  { name: "rootless: newuidmap/newgidmap map a range of subordinate ids", ignore: ignoreHelpers },
  async () => {
    const user = await testUser();
    const sub = subordinateIds("/etc/subuid");
    const subGid = subordinateIds("/etc/subgid");
    ok(sub.count >= 65536 && subGid.count >= 65536, "the test user has 65536 subordinate ids");
    const marker = "86419";
    const b = await rootlessBundle(user, ["sleep", marker], (c) => rangedMaps(c));
    const env = { XDG_RUNTIME_DIR: b.dir };
    const tsrun = (...args: string[]) => asUser(user, args, { cwd: b.dir, env });
    try {
      let r = await tsrun("run", "-d", "rl-range");
      assertEquals([r.code, r.stderr], [0, ""]);
      // Container uid 1000 is subordinate id 999 of the range outside; setgroups(2) stays allowed
      // (an additional gid), where a map of the caller alone denies it.
      r = await tsrun(
        "exec",
        "--additional-gids",
        "5",
        "rl-range",
        "sh",
        "-c",
        "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -G; " +
          "touch /owned && chown 1000:1001 /owned",
      );
      assertEquals(r.stderr, "");
      assertEquals(r.code, 0);
      const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
      assertEquals(lines, [
        `0 ${user.uid} 1`,
        `1 ${sub.start} 65536`,
        `0 ${user.gid} 1`,
        `1 ${subGid.start} 65536`,
        "allow",
        "0 5",
      ]);
      const st = Deno.statSync(join(b.dir, "rootfs", "owned"));
      assertEquals([st.uid, st.gid], [sub.start + 999, subGid.start + 1000]);
      r = await tsrun("delete", "--force", "rl-range");
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(processesMatching(marker), []);
    } finally {
      await tsrun("delete", "--force", "rl-range");
      await b.cleanup();
    }
  },
);

Deno.test(
  {
    name: "rootless: a range beyond the subordinate ids fails naming the field, nothing left",
    ignore: ignoreHelpers,
  },
  async () => {
    const user = await testUser();
    for (const kind of ["uid", "gid"] as const) {
      const file = kind === "uid" ? "/etc/subuid" : "/etc/subgid";
      const b = await rootlessBundle(user, ["true"], (c) => {
        rangedMaps(c);
        // One past the user's range: not allowed to it.
        const { start, count } = subordinateIds(file);
        const maps = kind === "uid" ? c.linux.uidMappings : c.linux.gidMappings;
        maps[1].hostID = start + count;
      });
      try {
        const r = await asUser(user, ["run", "-b", ".", `rl-beyond-${kind}`], { cwd: b.dir });
        assertEquals(r.code, 1);
        match(
          r.stderr,
          new RegExp(
            `^tsrun: linux\\.${kind}Mappings: new${kind}map: .*not allowed ` +
              `\\(the caller's subordinate ids are in ${file}\\)\\n$`,
          ),
        );
        assertEquals(r.stderr.split("\n").length, 2, "one line");
        assertEquals([...Deno.readDirSync(defaultRoot(user.uid))], []);
        // The child waited for its maps as a copy of tsrun, the id on its command line.
        assertEquals(processesMatching(`rl-beyond-${kind}`), []);
      } finally {
        removeRoot(user.uid);
        await b.cleanup();
      }
    }
  },
);

Deno.test(
  { name: "rootless: a container joining another's user and pid namespaces", ignore },
  async () => {
    const user = await testUser();
    const marker = "86443";
    const first = await rootlessBundle(user, ["sleep", marker]);
    const env = { XDG_RUNTIME_DIR: first.dir };
    const tsrun = (...args: string[]) => asUser(user, args, { cwd: first.dir, env });
    const script = "id -u; cat /proc/self/uid_map; tr '\\0' ' ' </proc/1/cmdline";
    try {
      let r = await tsrun("run", "-d", "rl-join-1");
      assertEquals([r.code, r.stderr], [0, ""]);
      const pid = JSON.parse((await tsrun("state", "rl-join-1")).stdout).pid;
      // The new namespaces are made inside the joined user namespace: the caller may make none
      // outside it, and the pid namespace takes in a forked child.
      const second = await rootlessBundle(user, ["sh", "-c", script], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
          n.type === "pid" || n.type === "user" ? { ...n, path: `/proc/${pid}/ns/${n.type}` } : n
        );
        delete c.linux.uidMappings;
        delete c.linux.gidMappings;
      });
      try {
        r = await tsrun("run", "-b", second.dir, "rl-join-2");
        assertEquals([r.code, r.stderr], [0, ""]);
        const lines = r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
        assertEquals(lines, ["0", `0 ${user.uid} 1`, `sleep ${marker}`]);
      } finally {
        await second.cleanup();
      }
      // Its pid namespace alone, making a user namespace of its own: refused in one line.
      const third = await rootlessBundle(user, ["true"], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((n: { type: string }) =>
          n.type === "pid" ? { ...n, path: `/proc/${pid}/ns/pid` } : n
        );
      });
      try {
        r = await tsrun("run", "-b", third.dir, "rl-join-3");
        assertEquals(r.code, 1);
        assertEquals(
          r.stderr,
          `tsrun: linux.namespaces: pid /proc/${pid}/ns/pid: a rootless container making its ` +
            "own user namespace cannot join a pid namespace; join the user namespace that owns " +
            "it as well\n",
        );
        assertEquals([...Deno.readDirSync(join(first.dir, "tsrun"))].map((e) => e.name), [
          "rl-join-1",
        ]);
      } finally {
        await third.cleanup();
      }
    } finally {
      await tsrun("delete", "--force", "rl-join-1");
      await first.cleanup();
    }
    assertEquals(processesMatching(marker), []);
  },
);

Deno.test(
  { name: "rootless: a range without newuidmap installed fails naming the field", ignore },
  async () => {
    const user = await testUser();
    const b = await rootlessBundle(user, ["true"], rangedMaps);
    try {
      // newuidmap, where installed, hidden (not executable) in a mount namespace of this call.
      const hide = 'p=$(command -v newuidmap); [ -z "$p" ] || mount --bind /dev/null "$p" || ' +
        'exit 99; exec "$@"';
      const r = await asUser(user, ["run", "rl-no-helper"], {
        cwd: b.dir,
        prefix: ["unshare", "--mount", "--propagation", "private", "sh", "-c", hide, "sh"],
      });
      assertEquals(r.code, 1);
      assertEquals(
        r.stderr,
        "tsrun: linux.uidMappings: mapping more than the caller's own id needs newuidmap " +
          "(the uidmap package), not found\n",
      );
      assertEquals([...Deno.readDirSync(defaultRoot(user.uid))], []);
      assertEquals(processesMatching("rl-no-helper"), []);
    } finally {
      removeRoot(user.uid);
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "rootless: uid 0 in a user namespace it made itself is rootless too", ignore },
  async () => {
    const user = await testUser();
    const marker = "86453";
    // As rootless podman runs its runtime: root in a user namespace mapping only the user, and a
    // config that makes no user namespace of its own. One namespace for every call of the script.
    const b = await rootlessBundle(user, ["sleep", marker], (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== "user");
      delete c.linux.uidMappings;
      delete c.linux.gidMappings;
    });
    const script = `
      t=$1
      $t run -d rl-nsroot || exit 10
      ls "$XDG_RUNTIME_DIR/tsrun"
      $t exec rl-nsroot sh -c 'id -u; tr "\\0" " " </proc/1/cmdline; echo' || exit 11
      $t kill rl-nsroot KILL || exit 12
      for i in $(seq 50); do $t state rl-nsroot | grep -q '"stopped"' && break; sleep 0.1; done
      $t delete rl-nsroot || exit 13
      ls "$XDG_RUNTIME_DIR/tsrun"
    `;
    try {
      const r = await command(
        asUserArgv(user, [
          "unshare",
          "--user",
          "--map-root-user",
          "sh",
          "-c",
          script,
          "sh",
          userTsrun(),
        ]),
        { cwd: b.dir, clearEnv: true, env: { PATH: "/usr/bin:/bin", XDG_RUNTIME_DIR: b.dir } },
      );
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(r.stdout, `rl-nsroot\n0\nsleep ${marker} \n`);
      assertEquals(processesMatching(marker), []);
    } finally {
      await b.cleanup();
    }
  },
);
