// config.process (and linux.personality/timeOffsets) as the container's process sees it:
// /proc/self/status, limits, stat and friends.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { capabilityBit } from "../../specs/capabilities.ts";
import {
  assertNothingLeft,
  type Config,
  hasCommand,
  makeBundle,
  requireRoot,
  skipUnless,
  stateRoot,
  TSRUN,
} from "../helpers/mod.ts";
import { runScript, uniqueId } from "./util.ts";
import { apparmorEnabled, selinuxEnabled } from "../../process/lsm.ts";
import { exists } from "../../process/exists.ts";

const ignore = requireRoot("running containers");

/** The lines of /proc/self/status named in `keys`, as a record of their values. */
function status(out: string, keys: string[]): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const [k, v] = line.split(":\t");
    if (keys.includes(k)) rec[k] = v.trim();
  }
  return rec;
}

const mask = (...names: string[]) =>
  names.reduce((m, n) => m | (1n << BigInt(capabilityBit(n)!)), 0n).toString(16).padStart(16, "0");

const CAP_KEYS = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"];

Deno.test(
  { name: "capabilities: all five sets, as root and as another user", ignore },
  async () => {
    const caps = {
      bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
      effective: ["CAP_KILL"],
      permitted: ["CAP_KILL", "CAP_NET_RAW"],
      inheritable: ["CAP_NET_RAW"],
      ambient: ["CAP_NET_RAW"],
    };
    const root = await runScript("cat /proc/self/status", (c) => c.process.capabilities = caps);
    assertEquals(root.code, 0, root.stderr);
    // execve as uid 0 would raise permitted and effective to bounding | inheritable; with
    // noNewPrivileges (the test default) they cannot grow past the permitted set.
    assertEquals(status(root.stdout, CAP_KEYS), {
      CapInh: mask("CAP_NET_RAW"),
      CapPrm: mask("CAP_KILL", "CAP_NET_RAW"),
      CapEff: mask("CAP_KILL", "CAP_NET_RAW"),
      CapBnd: mask("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"),
      CapAmb: mask("CAP_NET_RAW"),
    });
    const grown = await runScript("cat /proc/self/status", (c) => {
      c.process.capabilities = caps;
      c.process.noNewPrivileges = false;
    });
    const all = mask("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW");
    assertEquals(status(grown.stdout, ["CapPrm", "CapEff"]), { CapPrm: all, CapEff: all });
    // An effective capability that is not permitted cannot be granted: a warning, left out.
    const lost = await runScript("cat /proc/self/status", (c) => {
      c.process.capabilities = { ...caps, effective: ["CAP_KILL", "CAP_CHOWN"] };
    });
    assertEquals(lost.code, 0, lost.stderr);
    assertEquals(status(lost.stdout, ["CapPrm", "CapEff"]), {
      CapPrm: mask("CAP_KILL", "CAP_NET_RAW"),
      CapEff: mask("CAP_KILL", "CAP_NET_RAW"),
    });
    const user = await runScript("cat /proc/self/status", (c) => {
      c.process.capabilities = caps;
      c.process.user = { uid: 1000, gid: 1000 };
    });
    assertEquals(user.code, 0, user.stderr);
    // Another user keeps only what is ambient across execve.
    assertEquals(status(user.stdout, CAP_KEYS), {
      CapInh: mask("CAP_NET_RAW"),
      CapPrm: mask("CAP_NET_RAW"),
      CapEff: mask("CAP_NET_RAW"),
      CapBnd: mask("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"),
      CapAmb: mask("CAP_NET_RAW"),
    });
  },
);

Deno.test({ name: "user: uid, gid, additionalGids, umask; noNewPrivileges", ignore }, async () => {
  const r = await runScript("cat /proc/self/status; umask", (c) => {
    c.process.user = { uid: 1000, gid: 1001, additionalGids: [5, 2000], umask: 0o027 };
    c.process.noNewPrivileges = true;
  });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(status(r.stdout, ["Uid", "Gid", "Groups", "NoNewPrivs"]), {
    Uid: "1000\t1000\t1000\t1000",
    Gid: "1001\t1001\t1001\t1001",
    Groups: "5 2000",
    NoNewPrivs: "1",
  });
  assertEquals(r.stdout.trim().split("\n").at(-1), "0027");
  const off = await runScript("grep NoNewPrivs /proc/self/status; umask", (c) => {
    c.process.noNewPrivileges = false;
  });
  assertEquals([off.code, off.stdout], [0, "NoNewPrivs:\t0\n0022\n"], off.stderr);
});

Deno.test({ name: "HOME: from /etc/passwd when the env has none, else kept", ignore }, async () => {
  const root = await runScript("echo $HOME");
  assertEquals([root.code, root.stdout], [0, "/root\n"], root.stderr);
  const stranger = await runScript("echo $HOME", (c) => c.process.user = { uid: 4242, gid: 4242 });
  assertEquals(stranger.stdout, "/\n", stranger.stderr);
  const given = await runScript("echo $HOME", (c) => c.process.env.push("HOME=/given"));
  assertEquals(given.stdout, "/given\n", given.stderr);
});

Deno.test({ name: "rlimits and oomScoreAdj", ignore }, async () => {
  const r = await runScript(
    "grep -E '^Max (open files|processes|core file size)' /proc/self/limits; cat /proc/self/oom_score_adj",
    (c) => {
      c.process.rlimits = [
        { type: "RLIMIT_NOFILE", soft: 100, hard: 200 },
        { type: "RLIMIT_NPROC", soft: 300, hard: 400 },
        { type: "RLIMIT_CORE", soft: 0, hard: 0 },
      ];
      c.process.oomScoreAdj = 123;
    },
  );
  assertEquals(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").map((l) => l.split(/\s{2,}/).slice(0, 3).join("|"));
  assertEquals(rows, [
    "Max core file size|0|0",
    "Max processes|300|400",
    "Max open files|100|200",
    "123",
  ]);
});

/** Fields 19 (nice) and 41 (policy) of a /proc/<pid>/stat line. */
function niceAndPolicy(stat: string): [number, number] {
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [Number(f[19 - 3]), Number(f[41 - 3])];
}

Deno.test({ name: "scheduler, ioPriority and personality", ignore }, async () => {
  const r = await runScript("cat /proc/self/stat; ionice; uname -m", (c) => {
    c.process.scheduler = { policy: "SCHED_BATCH", nice: 7 };
    c.process.ioPriority = { class: "IOPRIO_CLASS_BE", priority: 6 };
    c.linux.personality = { domain: "LINUX32" };
  });
  assertEquals(r.code, 0, r.stderr);
  const [stat, io, machine] = r.stdout.trim().split("\n");
  assertEquals(niceAndPolicy(stat), [7, 3], "nice 7, SCHED_BATCH");
  assertEquals(io, "best-effort: prio 6");
  assertEquals(machine, Deno.build.arch === "x86_64" ? "i686" : "armv8l");
  const plain = await runScript("cat /proc/self/stat; uname -m");
  const [plainStat, plainMachine] = plain.stdout.trim().split("\n");
  assertEquals(niceAndPolicy(plainStat), [0, 0]);
  assertEquals(plainMachine, Deno.build.arch);
});

Deno.test(
  { name: "scheduler: a real-time policy needs the capabilities init still has", ignore },
  async () => {
    const r = await runScript("cat /proc/self/stat", (c) => {
      c.process.scheduler = { policy: "SCHED_RR", priority: 5 };
      c.process.user = { uid: 1000, gid: 1000 };
      // With cgroup v1 real-time group scheduling a new cpu cgroup has no real-time budget.
      if (exists("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")) {
        c.linux.resources.cpu = { realtimePeriod: 1000000, realtimeRuntime: 10000 };
      }
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(niceAndPolicy(r.stdout)[1], 2, "SCHED_RR");
  },
);

Deno.test({
  name: "CPU affinity: the container does not inherit the runtime's",
  ignore: ignore || skipUnless(navigator.hardwareConcurrency >= 2, "needs 2 CPUs"),
}, async () => {
  const b = await makeBundle({ args: ["grep", "Cpus_allowed_list", "/proc/self/status"] });
  try {
    const out = await new Deno.Command("taskset", {
      args: ["-c", "0", TSRUN, "--root", stateRoot(), "run", "-b", b.dir, uniqueId("aff")],
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertEquals(text, `Cpus_allowed_list:\t0-${navigator.hardwareConcurrency - 1}\n`);
  } finally {
    await b.cleanup();
  }
});

/** Runs `tsrun run` from sh with extra fds 3, 4 and 5 open (a file, a file, a directory). */
async function runWithFds(
  bundle: string,
  id: string,
  extra: string[],
): Promise<Deno.CommandOutput> {
  const script = 'exec 3</etc/hostname 4</etc/passwd 5</tmp; exec "$@"';
  return await new Deno.Command("sh", {
    args: ["-c", script, "sh", TSRUN, "--root", stateRoot(), "run", ...extra, "-b", bundle, id],
  }).output();
}

Deno.test({ name: "--preserve-fds N passes exactly fds 3..N+2", ignore }, async () => {
  const b = await makeBundle({
    args: ["sh", "-c", "cd /proc/$$/fd && ls; for f in 3 4; do readlink $f; done"],
  });
  try {
    const two = await runWithFds(b.dir, uniqueId("fds"), ["--preserve-fds", "2"]);
    const dec = new TextDecoder();
    assertEquals(two.code, 0, dec.decode(two.stderr));
    const lines = dec.decode(two.stdout).trim().split("\n");
    assertEquals(lines.slice(0, 5), ["0", "1", "2", "3", "4"]);
    // The container's view of the host files: not resolvable inside, but their names are kept.
    match(lines[5], /hostname$/);
    match(lines[6], /passwd$/);
    const none = await runWithFds(b.dir, uniqueId("fds"), []);
    assertEquals(dec.decode(none.stdout).trim().split("\n").slice(0, 3), ["0", "1", "2"]);
    assertEquals(dec.decode(none.stdout).trim().split("\n").length, 3);
  } finally {
    await b.cleanup();
  }
});

Deno.test(
  { name: "cwd: a leaked host directory fd cannot be the working directory", ignore },
  async () => {
    const b = await makeBundle({ args: ["pwd"] });
    try {
      b.config.process.cwd = "/proc/self/fd/5";
      b.writeConfig();
      for (const extra of [["--preserve-fds", "3"], []]) {
        const id = uniqueId("cwd");
        const r = await runWithFds(b.dir, id, extra);
        const err = new TextDecoder().decode(r.stderr);
        ok(r.code !== 0, `must fail (${extra}): ${new TextDecoder().decode(r.stdout)}`);
        match(err, /outside the container's root/);
        assertNothingLeft({ path: b.dir, marker: id });
      }
      // A missing working directory is created, as runc does.
      b.config.process.cwd = "/work/dir";
      b.config.root.readonly = false;
      b.writeConfig();
      const made = await runWithFds(b.dir, uniqueId("cwd"), []);
      assertEquals(new TextDecoder().decode(made.stdout), "/work/dir\n");
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "AppArmor and SELinux asked for on a host without them: a clear error",
  ignore: ignore || skipUnless(!apparmorEnabled() && !selinuxEnabled(), "the host has an LSM"),
}, async () => {
  const cases: [string, (c: Config) => void, RegExp][] = [
    [
      "apparmor",
      (c) => c.process.apparmorProfile = "acme",
      /apparmorProfile "acme": AppArmor is not enabled/,
    ],
    [
      "selinux",
      (c) => c.process.selinuxLabel = "system_u:system_r:container_t:s0",
      /SELinux is not enabled/,
    ],
    [
      "mountlabel",
      (c) => c.linux.mountLabel = "system_u:object_r:container_file_t:s0",
      /mountLabel.*SELinux is not enabled/,
    ],
  ];
  for (const [what, edit, message] of cases) {
    const id = uniqueId(what);
    const r = await runScript("true", edit, { id });
    ok(r.code !== 0, what);
    match(r.stderr, message);
    assertNothingLeft({ marker: id });
  }
});

Deno.test(
  { name: "timeOffsets: a time namespace shifts boottime and monotonic clocks", ignore },
  async () => {
    const year = 365 * 86400;
    const r = await runScript("cut -d' ' -f1 /proc/uptime", (c) => {
      c.linux.namespaces.push({ type: "time" });
      c.linux.timeOffsets = { boottime: { secs: year, nanosecs: 0 }, monotonic: { secs: 1000 } };
    });
    assertEquals(r.code, 0, r.stderr);
    const inside = Number(r.stdout.trim());
    const host = Number(Deno.readTextFileSync("/proc/uptime").split(" ")[0]);
    ok(inside - host > year - 60 && inside - host < year + 60, `uptime ${inside} vs host ${host}`);
  },
);

Deno.test({
  name: "capabilities the runtime does not have: a warning, not a failure (as the spec says)",
  ignore: ignore || skipUnless(hasCommand("setpriv"), "needs setpriv (util-linux)"),
}, async () => {
  const b = await makeBundle({ args: ["grep", "CapBnd", "/proc/self/status"] });
  try {
    b.config.process.capabilities.bounding.push("CAP_SYS_TIME");
    b.writeConfig();
    const out = await new Deno.Command("setpriv", {
      args: [
        "--bounding-set",
        "-sys_time",
        "--",
        TSRUN,
        "--root",
        stateRoot(),
        "run",
        "-b",
        b.dir,
        uniqueId("nocap"),
      ],
    }).output();
    const dec = new TextDecoder();
    assertEquals(out.code, 0, dec.decode(out.stderr));
    match(dec.decode(out.stderr), /warning: process.capabilities: CAP_SYS_TIME cannot be granted/);
    const bnd = BigInt(`0x${dec.decode(out.stdout).split("\t")[1].trim()}`);
    assertEquals(bnd & (1n << BigInt(capabilityBit("CAP_SYS_TIME")!)), 0n);
    ok(bnd & (1n << BigInt(capabilityBit("CAP_KILL")!)), "the others are granted");
  } finally {
    await b.cleanup();
  }
});
