// The credential sequence the init and `exec` share, checked as data (no root needed), and the
// environment both hand over.
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import {
  type CredentialSpec,
  type CredentialStep,
  credentialSteps,
  type HostFacts,
} from "../../process/credentials.ts";
import { homeOf, prepareEnv } from "../../process/env.ts";
import { execPlan } from "../../runtime/exec/plan.ts";
import { capabilityBit } from "../../specs/capabilities.ts";

const spec = (over: Partial<CredentialSpec> = {}): CredentialSpec => ({
  uid: 1000,
  gid: 100,
  additionalGids: [7, 8],
  umask: 0o027,
  capabilities: {
    bounding: ["CAP_KILL", "CAP_CHOWN"],
    effective: ["CAP_KILL"],
    permitted: ["CAP_KILL", "CAP_CHOWN"],
    inheritable: ["CAP_KILL"],
    ambient: ["CAP_KILL", "CAP_CHOWN"],
  },
  noNewPrivileges: true,
  rlimits: [{ type: "RLIMIT_NOFILE", soft: 10, hard: 20 }],
  preserveFds: 2,
  seccomp: true,
  ...over,
});

const ALL = (1n << 41n) - 1n;
const host = (over: Partial<HostFacts> = {}): HostFacts => ({
  lastCap: 40,
  grantable: ALL,
  setgroups: "allow",
  ...over,
});

const labels = (steps: CredentialStep[]) => steps.map((s) => (s.atExec ? "exec: " : "") + s.label);
const u32 = (a: unknown) => [...new Uint32Array((a as Uint8Array).buffer)];

Deno.test("runc's order: fds, bounding set, groups and ids, capset, ambient, nnp, umask, then at exec rlimits and a late filter", () => {
  const { steps, warnings } = credentialSteps(spec(), host());
  const drops = Array.from({ length: 41 }, (_, c) => c)
    .filter((c) => c !== 0 && c !== 5)
    .map((c) => `drop capability ${c} from the bounding set`);
  assertEquals(labels(steps), [
    "mark inherited fds close-on-exec",
    "keep capabilities across setuid",
    ...drops,
    "set the additional groups",
    "set gid 100",
    "set uid 1000",
    "set capabilities",
    "stop keeping capabilities across setuid",
    // CAP_CHOWN is not inheritable: the kernel would refuse it as ambient.
    "raise ambient CAP_KILL",
    "set no_new_privs",
    "set the umask",
    "exec: set RLIMIT_NOFILE",
    "exec: install the seccomp filter",
  ]);
  assertEquals(warnings, []);
  const at = (label: string) => steps.find((s) => s.label === label)!;
  assertEquals(at("mark inherited fds close-on-exec").args, [5, 0xffffffff, 4]);
  assertEquals(u32(at("set the additional groups").args[1]), [7, 8]);
  assertEquals(at("set the umask").args, [0o027]);
  const kill = 1 << capabilityBit("CAP_KILL")!, chown = 1 << capabilityBit("CAP_CHOWN")!;
  // effective, permitted, inheritable (low words), then the high words.
  assertEquals(u32(at("set capabilities").args[1]), [kill, kill | chown, kill, 0, 0, 0]);
  assertEquals(u32(at("set capabilities").args[0]), [0x20080522, 0]);
  const lim = at("set RLIMIT_NOFILE").args;
  assertEquals([lim[1], [...new BigUint64Array((lim[2] as Uint8Array).buffer)]], [7, [10n, 20n]]);
});

Deno.test("seccomp: before the credential change without nnp or CAP_SYS_ADMIN, else at exec", () => {
  const early = credentialSteps(spec({ noNewPrivileges: false }), host()).steps;
  const i = early.findIndex((s) => s.syscall === "seccomp-filter");
  assertEquals([early[i - 1].label, early[i + 1].label, early[i].atExec], [
    "drop capability 40 from the bounding set",
    "set the additional groups",
    false,
  ]);
  const admin = spec({
    noNewPrivileges: false,
    capabilities: { effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"] },
  });
  assertEquals(credentialSteps(admin, host()).steps.at(-1)!.syscall, "seccomp-filter");
  const none = credentialSteps(spec({ seccomp: false }), host()).steps;
  assertEquals(none.some((s) => s.syscall === "seccomp-filter"), false);
});

Deno.test("a capability the host cannot grant is left out with one warning; umask defaults to 022", () => {
  const resource = capabilityBit("CAP_SYS_RESOURCE")!;
  const caps = { bounding: ["CAP_SYS_RESOURCE"], effective: ["CAP_SYS_RESOURCE", "CAP_KILL"] };
  const { steps, warnings } = credentialSteps(
    spec({ capabilities: { ...caps, permitted: caps.effective }, umask: undefined }),
    host({ grantable: ALL & ~(1n << BigInt(resource)), lastCap: 37 }),
  );
  assertEquals(warnings, [
    "process.capabilities: CAP_SYS_RESOURCE cannot be granted by this runtime, left out",
  ]);
  const dropped = steps.filter((s) => s.label.startsWith("drop")).map((s) => s.args[1]);
  assertEquals(dropped.includes(resource), true);
  assertEquals(dropped.at(-1), 37, "probing stops at the host's last capability");
  const cap = steps.find((s) => s.label === "set capabilities")!;
  assertEquals(u32(cap.args[1]).slice(0, 2), [1 << 5, 1 << 5]);
  assertEquals(steps.find((s) => s.label === "set the umask")!.args, [0o022]);
});

Deno.test("groups: set (even empty) where allowed; a denied setgroups fails only when asked", () => {
  const has = (s: CredentialSpec, h: HostFacts) =>
    credentialSteps(s, h).steps.some((x) => x.syscall === "setgroups");
  assertEquals(has(spec({ additionalGids: [] }), host()), true);
  assertEquals(has(spec({ additionalGids: [] }), host({ setgroups: "deny" })), false);
  assertEquals(has(spec({ additionalGids: [] }), host({ setgroups: "unknown" })), false);
  assertEquals(has(spec(), host({ setgroups: "unknown" })), true);
  throws(
    () => credentialSteps(spec(), host({ setgroups: "deny" })),
    /^Error: process.user.additionalGids: the container's user namespace denies setgroups$/,
  );
});

Deno.test("the environment: last value wins, HOME from passwd unless set, odd entries as given", () => {
  const passwd = "root:x:0:0:root:/root:/bin/sh\nu:x:5:5::/home/u:/bin/sh\nv:x:6:6:::/bin/sh\n" +
    "bad:x::1::/no:\n";
  const env = ["A=1", "B=2", "A=3", "HOME="];
  assertEquals(prepareEnv(env, 5, () => passwd), ["B=2", "A=3", "HOME=/home/u"]);
  assertEquals(prepareEnv(["HOME=/x", "HOME=/y"], 0, () => passwd), ["HOME=/y"]);
  assertEquals(prepareEnv([], 99, () => passwd), ["HOME=/"]);
  assertEquals(prepareEnv([], 0, () => undefined), ["HOME=/"]);
  assertEquals(prepareEnv(["NOEQ", "=x", "NOEQ"], 0, () => passwd), [
    "NOEQ",
    "=x",
    "NOEQ",
    "HOME=/root",
  ]);
  assertEquals(homeOf(6, passwd), undefined, "an empty home field");
  assertEquals(homeOf(1, passwd), undefined, "an empty uid field is no uid");
  throws(() => prepareEnv(["A=\0"], 0, () => passwd), /process.env "A": contains a NUL byte/);
});

Deno.test("exec's spawn plan carries the same steps, after its own way in", () => {
  const creds = credentialSteps(spec({ seccomp: false }), host());
  const process = {
    args: ["sh"],
    env: [],
    cwd: "/",
    uid: 1000,
    gid: 100,
    additionalGids: [7, 8],
    capabilities: {},
    noNewPrivileges: true,
    rlimits: [],
    terminal: false,
  };
  const plan = execPlan({
    process,
    path: "/bin/sh",
    env: ["HOME=/"],
    namespaces: [],
    cgroupTasksFds: [],
    cwdFd: 9,
    credentials: creds.steps,
  });
  try {
    const own = plan.steps.map((s) => s.label).filter((l) => !/signal/.test(l));
    assertEquals(own, [
      'chdir to cwd "/"',
      ...creds.steps.map((s) => s.label),
      'exec "sh"',
    ]);
  } finally {
    plan.free();
  }
});
