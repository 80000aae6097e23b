// The exec'd process is the container's process with the flags on top, or --process FILE with
// runc's fallbacks; --detach hands it to the caller's subreaper; --preserve-fds passes fds on.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { type Config, requireRoot, stateRoot, TSRUN } from "../helpers/mod.ts";
import { libc } from "../../syscalls/libc.ts";
import { exec, runningContainer, statusField } from "./util.ts";

const ignore = requireRoot("exec");
const PR_SET_CHILD_SUBREAPER = 36;

/** What the checks below print, one item per line. */
const REPORT = [
  "sh",
  "-c",
  'echo "$A|$B|$HOME"; pwd; umask; ulimit -n; cat /proc/self/oom_score_adj; cat /proc/self/status',
];

function report(stdout: string) {
  const [env, cwd, umask, nofile, oom, ...status] = stdout.split("\n");
  const st = status.join("\n");
  const field = (n: string) => statusField(st, n);
  return {
    env,
    cwd,
    umask,
    nofile,
    oom,
    uid: field("Uid"),
    gid: field("Gid"),
    groups: field("Groups"),
    capEff: field("CapEff"),
    capBnd: field("CapBnd"),
    noNewPrivs: field("NoNewPrivs"),
  };
}

// AUDIT_WRITE (29), KILL (5), NET_BIND_SERVICE (10): the test config's capabilities.
const CAPS = "0000000020000420";
const CAPS_AND_SYS_ADMIN = "0000000020200420";

function configure(c: Config): void {
  c.process.env.push("A=1");
  c.process.user.umask = 0o027;
  c.process.oomScoreAdj = 100;
  c.process.noNewPrivileges = false;
}

Deno.test({ name: "the container's process with the flags on top", ignore }, async () => {
  const c = await runningContainer("exec-flags", { config: configure });
  try {
    const plain = await exec(c.id, REPORT);
    assertEquals(plain.code, 0, plain.stderr);
    assertEquals(report(plain.stdout), {
      env: "1||/root",
      cwd: "/",
      umask: "0027",
      nofile: "1024",
      oom: "100",
      uid: "0 0 0 0",
      gid: "0 0 0 0",
      groups: "",
      capEff: CAPS,
      capBnd: CAPS,
      noNewPrivs: "0",
    });
    const flags = [
      ...["-e", "A=2", "--env", "B=3", "--cwd", "/tmp", "-u", "65534:65534"],
      ...["-g", "5", "--additional-gids", "7", "--cap", "CAP_SYS_ADMIN", "--no-new-privs"],
    ];
    const user = await exec(c.id, REPORT, flags);
    assertEquals(user.code, 0, user.stderr);
    assertEquals(report(user.stdout), {
      env: "2|3|/nonexistent",
      cwd: "/tmp",
      umask: "0027",
      nofile: "1024",
      oom: "100",
      uid: "65534 65534 65534 65534",
      gid: "65534 65534 65534 65534",
      groups: "5 7",
      // A non-root user keeps capabilities across execve only as ambient ones, which need an
      // inheritable set the container does not have.
      capEff: "0000000000000000",
      capBnd: CAPS_AND_SYS_ADMIN,
      noNewPrivs: "1",
    });
    const root = await exec(c.id, REPORT, ["-c", "CAP_SYS_ADMIN", "-u", "0"]);
    assertEquals(report(root.stdout).capEff, CAPS_AND_SYS_ADMIN);

    const bad: [string[], string][] = [
      [["-u", "root"], "--user root: expected <uid>[:<gid>] as numbers"],
      [["-g", "x"], "--additional-gids x: expected a non-negative group id"],
      [["--cap", "CAP_NOPE"], "--cap CAP_NOPE: unknown capability"],
      [["--cwd", "tmp"], "--cwd tmp: must be an absolute path"],
      [["-e", "NOEQUALS"], 'env "NOEQUALS": expected NAME=VALUE'],
      [["--apparmor", "p"], 'AppArmor profile "p": AppArmor is not enabled on this host'],
      [["--process-label", "l"], 'SELinux label "l": SELinux is not enabled on this host'],
    ];
    for (const [f, msg] of bad) {
      const r = await exec(c.id, ["true"], f);
      assertEquals([r.code, r.stderr], [255, `tsrun: exec failed: ${msg}\n`], f.join(" "));
    }
  } finally {
    await c.remove();
  }
});

Deno.test({ name: "--process FILE replaces the process; runc's fallbacks", ignore }, async () => {
  const c = await runningContainer("exec-process", {
    config: (cfg) => {
      configure(cfg);
      cfg.process.noNewPrivileges = true;
    },
  });
  try {
    const file = `${c.dir}/process.json`;
    Deno.writeTextFileSync(
      file,
      JSON.stringify({
        args: REPORT,
        env: ["PATH=/bin", "B=file"],
        cwd: "/tmp",
        user: { uid: 1, gid: 2, additionalGids: [3] },
      }),
    );
    const r = await exec(c.id, [], ["--process", file]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(report(r.stdout), {
      // Only the file's env, and HOME=/ for a uid without a passwd entry.
      env: "|file|/",
      cwd: "/tmp",
      // Always the container's: umask and oomScoreAdj.
      umask: "0027",
      oom: "100",
      // The container's when the file has none: rlimits and capabilities.
      nofile: "1024",
      capBnd: CAPS,
      capEff: "0000000000000000",
      uid: "1 1 1 1",
      gid: "2 2 2 2",
      groups: "3",
      // An absent noNewPrivileges is false, whatever the container says.
      noNewPrivs: "0",
    });

    Deno.writeTextFileSync(file, JSON.stringify({ args: ["true"], cwd: "tmp" }));
    const bad = await exec(c.id, [], ["--process", file]);
    assertEquals(bad.code, 255);
    match(bad.stderr, /^tsrun: exec failed: --process .*process\.json: \/cwd: .*absolute/);
    const both = await exec(c.id, ["true"], ["-p", file]);
    assertEquals([both.code, both.stderr], [
      255,
      "tsrun: exec failed: give either --process FILE or a command, not both\n",
    ]);
    const none = await exec(c.id, []);
    assertEquals(none.code, 255);
    match(none.stderr, /a command to run \(or --process FILE\) is required/);
  } finally {
    await c.remove();
  }
});

function waitStatus(pid: number): number {
  const st = new Int32Array(1);
  ok(libc().waitpid(pid, new Uint8Array(st.buffer), 0) === pid, `waitpid ${pid}`);
  return (st[0] >> 8) & 0xff;
}

Deno.test(
  { name: "--detach --pid-file: tsrun returns, the caller's subreaper gets the process", ignore },
  async () => {
    const c = await runningContainer("exec-detach");
    // Engines (conmon, the containerd shim) are subreapers and reap exec'd processes.
    libc().prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n);
    try {
      const pidFile = `${c.dir}/exec.pid`;
      const script = "until [ -e /go ]; do sleep 0.02; done; exit 5";
      const r = await exec(c.id, ["sh", "-c", script], [
        "-d",
        "--pid-file",
        pidFile,
      ]);
      assertEquals([r.code, r.stdout, r.stderr], [0, "", ""]);
      const text = Deno.readTextFileSync(pidFile);
      match(text, /^\d+$/, "a bare decimal pid, no newline");
      const pid = Number(text);
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      assertEquals(statusField(status, "PPid"), String(Deno.pid));
      const nspid = statusField(status, "NSpid")!.split(" ");
      assertEquals(nspid.length, 2, "in the container's pid namespace");
      ok(Number(nspid[1]) > 1);
      assertEquals(Deno.readTextFileSync(`/proc/${pid}/cmdline`), `sh\0-c\0${script}\0`);
      Deno.writeTextFileSync(`${c.rootfs}/go`, "");
      assertEquals(waitStatus(pid), 5);
    } finally {
      libc().prctl(PR_SET_CHILD_SUBREAPER, 0n, 0n, 0n, 0n);
      await c.remove();
    }
  },
);

Deno.test({ name: "--preserve-fds passes 3..N+2 on and nothing else", ignore }, async () => {
  const c = await runningContainer("exec-fds");
  try {
    const data = `${c.dir}/data`;
    Deno.writeTextFileSync(data, "from fd 3\n");
    const run = async (n: number) => {
      const out = await new Deno.Command("/bin/sh", {
        args: [
          "-c",
          'exec 3<"$1" 4<"$1"; shift; exec "$@"',
          "sh",
          data,
          TSRUN,
          "--root",
          stateRoot(),
          "exec",
          "--preserve-fds",
          String(n),
          c.id,
          "sh",
          "-c",
          "{ cat <&3; } 2>/dev/null; for fd in 3 4 5; do [ -e /proc/$$/fd/$fd ] && echo has $fd; done; true",
        ],
        stdin: "null",
      }).output();
      const dec = new TextDecoder();
      assertEquals(dec.decode(out.stderr), "");
      return dec.decode(out.stdout);
    };
    assertEquals(await run(1), "from fd 3\nhas 3\n");
    assertEquals(await run(0), "");
    assertEquals(await run(2), "from fd 3\nhas 3\nhas 4\n");
  } finally {
    await c.remove();
  }
});
