// Seccomp on real busybox containers, as root: what a filter denies fails the way the profile
// says, and everything else still runs.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { type Config, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";

const ignore = requireRoot("running containers");

/** /tmp as a writable tmpfs, so that only seccomp can make mkdir fail there. */
function writableTmp(c: Config): void {
  c.mounts.push({ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"] });
}

const DENY_MKDIR = {
  defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
};

async function runIn(
  id: string,
  args: string[],
  config: (c: Config) => void,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const b = await makeBundle({ args, config });
  try {
    return await tsrun(["run", "-b", b.dir, id]);
  } finally {
    await b.cleanup();
  }
}

const MKDIR_THEN_TOUCH = "mkdir /tmp/x; echo mkdir=$?; touch /tmp/f && echo touch=ok; ls /tmp";

Deno.test({ name: "seccomp: without a filter, mkdir in /tmp works", ignore }, async () => {
  const r = await runIn("sc-control", ["sh", "-c", MKDIR_THEN_TOUCH], writableTmp);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "mkdir=0\ntouch=ok\nf\nx\n");
});

for (const nnp of [true, false]) {
  Deno.test({
    name: `seccomp: ERRNO(EPERM) for mkdir, other syscalls run (noNewPrivileges ${nnp})`,
    ignore,
  }, async () => {
    const r = await runIn(`sc-mkdir-${nnp}`, ["sh", "-c", MKDIR_THEN_TOUCH], (c) => {
      writableTmp(c);
      c.process.noNewPrivileges = nnp;
      c.linux.seccomp = DENY_MKDIR;
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "mkdir=1\ntouch=ok\nf\n");
    match(r.stderr, /mkdir: can't create directory '\/tmp\/x': Operation not permitted/);
  });
}

Deno.test({
  name: "seccomp: the filter is on, and no_new_privs only where the config asks",
  ignore,
}, async () => {
  const status = ["sh", "-c", "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"];
  for (const nnp of [true, false]) {
    const r = await runIn(`sc-status-${nnp}`, status, (c) => {
      c.process.noNewPrivileges = nnp;
      c.linux.seccomp = DENY_MKDIR;
    });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, `NoNewPrivs:\t${nnp ? 1 : 0}\nSeccomp:\t2\n`);
  }
});

Deno.test(
  { name: "seccomp: an argument condition denies one personality only", ignore },
  async () => {
    const PER_LINUX32 = 8;
    const r = await runIn(
      "sc-args",
      ["sh", "-c", "linux64 true; echo linux64=$?; linux32 true; echo linux32=$?"],
      (c) =>
        c.linux.seccomp = {
          defaultAction: "SCMP_ACT_ALLOW",
          syscalls: [{
            names: ["personality"],
            action: "SCMP_ACT_ERRNO",
            args: [{ index: 0, value: PER_LINUX32, op: "SCMP_CMP_EQ" }],
          }],
        },
    );
    assertEquals(r.stdout, "linux64=0\nlinux32=1\n", r.stderr);
    match(r.stderr, /Operation not permitted/);
  },
);

Deno.test(
  { name: "seccomp: KILL_PROCESS kills the process with SIGSYS (159)", ignore },
  async () => {
    const r = await runIn("sc-kill", ["mkdir", "/tmp/x"], (c) => {
      writableTmp(c);
      c.linux.seccomp = {
        defaultAction: "SCMP_ACT_ALLOW",
        syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_KILL_PROCESS" }],
      };
    });
    assertEquals(r.code, 128 + 31, r.stderr);
  },
);

const profile = async () =>
  JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/default-profile.json", import.meta.url)),
  );

for (const nnp of [true, false]) {
  Deno.test({
    name: `seccomp: a Docker-sized default-deny profile runs sh (noNewPrivileges ${nnp})`,
    ignore,
  }, async () => {
    const seccomp = await profile();
    const r = await runIn(
      `sc-default-${nnp}`,
      ["sh", "-c", "true && echo ok; ls / >/dev/null"],
      (c) => {
        c.process.noNewPrivileges = nnp;
        c.linux.seccomp = seccomp;
      },
    );
    assertEquals([r.code, r.stdout], [0, "ok\n"], r.stderr);
  });
}

Deno.test(
  { name: "seccomp: what an allowlist leaves out gets the default errno", ignore },
  async () => {
    const seccomp = await profile();
    const left = new Set(["mkdir", "mkdirat"]);
    seccomp.syscalls[0].names = seccomp.syscalls[0].names.filter((n: string) => !left.has(n));
    const r = await runIn("sc-allowlist", ["sh", "-c", MKDIR_THEN_TOUCH], (c) => {
      writableTmp(c);
      c.linux.seccomp = seccomp;
    });
    assertEquals(r.stdout, "mkdir=1\ntouch=ok\nf\n", r.stderr);
    match(r.stderr, /Operation not permitted/);
  },
);

Deno.test({ name: "seccomp: a profile that blocks execve fails the start", ignore }, async () => {
  const r = await runIn("sc-noexec", ["true"], (c) => {
    c.linux.seccomp = {
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [{ names: ["execve"], action: "SCMP_ACT_ERRNO", errnoRet: 13 }],
    };
  });
  // The failure comes after init reported "ready", so (as for any late exec failure) init can
  // only exit non-zero: it has nobody left to tell why.
  assertEquals(r.code === 0, false, "the process must not have run");
});
