// One process spec, two ways in: as the container's process (`run`, set up by the init) and as
// `exec --process` (set up by a spawn child). Both run process/credentials.ts's steps and
// process/env.ts's environment, so what the program sees must be the same: environment,
// ids and groups, umask, rlimits, capability sets, no_new_privs, and the warning about what this
// host cannot grant.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { type Config, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { exec, runningContainer, statusField } from "./util.ts";

const ignore = requireRoot("exec");

const FIELDS = ["Uid", "Gid", "Groups", "Umask", "NoNewPrivs", "Seccomp"] as const;
const CAP_FIELDS = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] as const;

/** The process under test: duplicates in env, no HOME, a non-root user with groups, umask,
 * rlimits, every capability set (CAP_SYS_RESOURCE is outside some hosts' bounding set, as on
 * the development VM: both sides must leave it out alike), ambient and no_new_privs. */
const PROCESS = {
  args: [
    "sh",
    "-c",
    "env | sort; echo ---; cat /proc/self/status; echo ---; cat /proc/self/limits",
  ],
  cwd: "/",
  env: ["PATH=/bin:/usr/bin", "A=1", "B=2", "A=3", "HOME="],
  user: { uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 0o027 },
  capabilities: {
    bounding: ["CAP_KILL", "CAP_CHOWN", "CAP_SYS_RESOURCE", "CAP_NET_BIND_SERVICE"],
    effective: ["CAP_KILL", "CAP_CHOWN", "CAP_SYS_RESOURCE"],
    permitted: ["CAP_KILL", "CAP_CHOWN", "CAP_SYS_RESOURCE"],
    inheritable: ["CAP_KILL", "CAP_SYS_RESOURCE"],
    ambient: ["CAP_KILL", "CAP_CHOWN", "CAP_SYS_RESOURCE"],
  },
  rlimits: [
    { type: "RLIMIT_NOFILE", soft: 100, hard: 200 },
    { type: "RLIMIT_CORE", soft: 0, hard: 4096 },
  ],
  noNewPrivileges: true,
};

function observed(stdout: string) {
  const [env, status, limits] = stdout.split("---\n");
  const fields = Object.fromEntries(
    [...FIELDS, ...CAP_FIELDS].map((n) => [n, statusField(status, n) ?? ""]),
  ) as Record<(typeof FIELDS)[number] | (typeof CAP_FIELDS)[number], string>;
  return { env, ...fields, limits };
}

/** tsrun's warnings, without the lines the shell wrote. */
const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("tsrun: "));

async function compare(name: string, userns: boolean): Promise<void> {
  const inUserns = (cfg: Config) => {
    if (!userns) return;
    cfg.linux.namespaces.push({ type: "user" });
    const map = [{ containerID: 0, hostID: 200000, size: 65536 }];
    cfg.linux.uidMappings = map;
    cfg.linux.gidMappings = map;
  };
  const b = await makeBundle({
    config: (c) => {
      Object.assign(c.process, PROCESS);
      inUserns(c);
    },
  });
  let ran;
  try {
    ran = await tsrun(["run", "-b", b.dir, `${name}-run`]);
  } finally {
    await tsrun(["delete", "-f", `${name}-run`]);
    await b.cleanup();
  }
  assertEquals(ran.code, 0, ran.stderr);

  // The container's own process sleeps; umask comes from it (runc's getProcess), so it is the
  // same spec.
  const c = await runningContainer(`${name}-exec`, {
    config: (cfg) => {
      Object.assign(cfg.process, PROCESS, { args: ["sleep", "600"] });
      inUserns(cfg);
    },
  });
  try {
    const file = `${c.dir}/process.json`;
    Deno.writeTextFileSync(file, JSON.stringify(PROCESS));
    const execd = await exec(c.id, [], ["--process", file]);
    assertEquals(execd.code, 0, execd.stderr);
    const want = observed(ran.stdout), got = observed(execd.stdout);
    assertEquals(got, want);
    assertEquals(warnings(execd.stderr), warnings(ran.stderr));
    // In a user namespace every capability can be granted; else only the host's bounding set.
    const hostBounding = BigInt(
      "0x" + statusField(Deno.readTextFileSync("/proc/self/status"), "CapBnd"),
    );
    const resource = 1n << 24n;
    const grantable = userns || (hostBounding & resource) !== 0n;
    assertEquals(warnings(ran.stderr).length, grantable ? 0 : 1, ran.stderr);
    assertEquals((BigInt("0x" + want.CapBnd) & resource) !== 0n, grantable);
    // And it is what the spec asks for, so the two cannot agree on something else.
    ok(want.env.includes("A=3\nB=2\nHOME=/\n"), want.env);
    assertEquals([want.Uid, want.Gid, want.Groups, want.Umask], [
      "1000 1000 1000 1000",
      "1000 1000 1000 1000",
      "10 20",
      "0027",
    ]);
    assertEquals(want.NoNewPrivs, "1");
    ok(/Max open files\s+100\s+200/.test(want.limits), want.limits);
    ok(/Max core file size\s+0\s+4096/.test(want.limits), want.limits);
    // CAP_KILL (5) is ambient: permitted and inheritable; CAP_CHOWN (0) is not inheritable.
    assertEquals(BigInt("0x" + want.CapAmb) & 0x21n, 0x20n);
  } finally {
    await c.remove();
  }
}

Deno.test(
  { name: "run and exec --process set up one process spec identically", ignore },
  () => compare("same-process", false),
);

Deno.test(
  { name: "the same in a user namespace, where every capability can be granted", ignore },
  () => compare("same-process-userns", true),
);
