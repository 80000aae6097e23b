// The pure parts of exec, without a container: building the process, the environment, --cgroup
// parsing, and the program lookup through a root that must not be left.
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { buildExecProcess, type ExecRequest } from "../../runtime/exec/process.ts";
import { parseSubCgroups } from "../../runtime/exec/cgroup.ts";
import { lookPath } from "../../process/look-path.ts";
import { checkLsm } from "../../runtime/exec/security.ts";
import type { Config } from "../../specs/schema/config.ts";

const config: Config = {
  ociVersion: "1.2.0",
  process: {
    args: ["init"],
    env: ["PATH=/bin", "A=1"],
    cwd: "/work",
    user: { uid: 5, gid: 6, additionalGids: [7], umask: 0o027 },
    capabilities: { bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"] },
    rlimits: [{ type: "RLIMIT_NOFILE", soft: 10, hard: 20 }],
    noNewPrivileges: true,
    oomScoreAdj: 7,
  },
};

const flags = (over: Partial<ExecRequest> = {}): ExecRequest => ({
  args: ["sh"],
  env: [],
  additionalGids: [],
  caps: [],
  tty: false,
  ...over,
});

Deno.test("without flags, exec runs the command as the container's process", () => {
  assertEquals(buildExecProcess(config, flags()), {
    args: ["sh"],
    env: ["PATH=/bin", "A=1"],
    cwd: "/work",
    uid: 5,
    gid: 6,
    additionalGids: [7],
    umask: 0o027,
    capabilities: config.process!.capabilities!,
    noNewPrivileges: true,
    rlimits: config.process!.rlimits!,
    oomScoreAdj: 7,
    terminal: false,
    apparmorProfile: undefined,
    selinuxLabel: undefined,
  });
});

Deno.test("flags override or extend the container's process", () => {
  const p = buildExecProcess(
    config,
    flags({
      env: ["A=2"],
      cwd: "/tmp",
      user: "8",
      additionalGids: ["9"],
      caps: ["CAP_CHOWN"],
      noNewPrivs: false,
      tty: true,
    }),
  );
  assertEquals([p.env, p.cwd, p.uid, p.gid, p.additionalGids], [
    ["PATH=/bin", "A=1", "A=2"],
    "/tmp",
    8,
    6,
    [7, 9],
  ]);
  assertEquals([p.noNewPrivileges, p.terminal], [false, true]);
  assertEquals(p.capabilities, {
    bounding: ["CAP_KILL", "CAP_CHOWN"],
    effective: ["CAP_KILL", "CAP_CHOWN"],
    permitted: ["CAP_KILL", "CAP_CHOWN"],
    // No inheritable set: --cap does not make anything ambient.
    ambient: undefined,
  });
  const withInh = buildExecProcess(
    { ...config, process: { ...config.process!, capabilities: { inheritable: [] } } },
    flags({ caps: ["CAP_CHOWN"], user: "1:2" }),
  );
  assertEquals([withInh.capabilities.ambient, withInh.uid, withInh.gid], [["CAP_CHOWN"], 1, 2]);
});

Deno.test("--process replaces the process, falling back only where runc does", () => {
  const p = buildExecProcess(
    config,
    flags({ process: { args: ["x"], cwd: "/", terminal: true, rlimits: [] }, env: ["IGNORED=1"] }),
  );
  assertEquals(p, {
    args: ["x"],
    env: [],
    cwd: "/",
    uid: 0,
    gid: 0,
    additionalGids: [],
    capabilities: config.process!.capabilities!,
    noNewPrivileges: false,
    rlimits: config.process!.rlimits!,
    terminal: true,
    consoleSize: undefined,
    umask: 0o027,
    oomScoreAdj: 7,
    apparmorProfile: undefined,
    selinuxLabel: undefined,
  });
});

Deno.test("bad flags are refused", () => {
  const refuse = (over: Partial<ExecRequest>, msg: RegExp, cfg = config) =>
    throws(() => buildExecProcess(cfg, flags(over)), msg);
  refuse({ user: "a:b" }, /--user a:b: expected <uid>\[:<gid>\]/);
  refuse({ user: "4294967296" }, /out of range/);
  refuse({ additionalGids: ["-1"] }, /--additional-gids -1/);
  refuse({ caps: ["CAP_NOPE"] }, /--cap CAP_NOPE: unknown capability/);
  refuse({ cwd: "rel" }, /--cwd rel: must be an absolute path/);
  refuse({ env: ["NOEQUALS"] }, /env "NOEQUALS": expected NAME=VALUE/);
  refuse({ env: ["=x"] }, /env "=x": expected NAME=VALUE/);
});

Deno.test("LSM settings: the flag or the process file's, else the container's", () => {
  const withLsm = {
    ...config,
    process: { ...config.process!, apparmorProfile: "ctr", selinuxLabel: "ctr_t" },
  };
  const lsm = (c: Config, over: Partial<ExecRequest>) => {
    const p = buildExecProcess(c, flags(over));
    return [p.apparmorProfile, p.selinuxLabel];
  };
  assertEquals(lsm(withLsm, {}), ["ctr", "ctr_t"]);
  assertEquals(lsm(withLsm, { apparmor: "mine", processLabel: "mine_t" }), ["mine", "mine_t"]);
  assertEquals(lsm(config, { process: { cwd: "/", apparmorProfile: "file" } }), [
    "file",
    undefined,
  ]);
  assertEquals(lsm(withLsm, { process: { cwd: "/" } }), ["ctr", "ctr_t"]);
  // With the LSM on the host or without, exec refuses them for now.
  throws(() => checkLsm(buildExecProcess(withLsm, flags())), /AppArmor profile "ctr": /);
  checkLsm(buildExecProcess(config, flags()));
});

Deno.test("--cgroup: one path for all, or per controller", () => {
  assertEquals([...parseSubCgroups(["sub"])], [["", "sub"]]);
  assertEquals([...parseSubCgroups(["cpu,cpuacct:a", "pids:b"])], [
    ["cpu", "a"],
    ["cpuacct", "a"],
    ["pids", "b"],
  ]);
  throws(() => parseSubCgroups(["a", "b"]), /--cgroup a: name its controller/);
  throws(() => parseSubCgroups([":a"]), /empty controller name/);
  throws(() => parseSubCgroups(["pids:a", "pids:b"]), /controller pids given twice/);
});

Deno.test("the program is found inside the root, symlinks and all", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${root}/bin`);
    Deno.mkdirSync(`${root}/work`);
    Deno.writeTextFileSync(`${root}/bin/prog`, "", { mode: 0o755 });
    Deno.writeTextFileSync(`${root}/bin/data`, "", { mode: 0o644 });
    Deno.writeTextFileSync(`${root}/work/local`, "", { mode: 0o755 });
    Deno.symlinkSync("/bin/prog", `${root}/bin/abs-link`);
    // Absolute on the host, so the lookup must resolve it inside the root, where it is absent.
    Deno.symlinkSync("/usr/bin/env", `${root}/bin/sh`);
    Deno.symlinkSync("/bin/loop", `${root}/bin/loop`);
    const env = ["PATH=/nowhere:/bin"];
    assertEquals(lookPath("prog", env, { root, cwd: "/" }), "/bin/prog");
    assertEquals(lookPath("abs-link", env, { root, cwd: "/" }), "/bin/abs-link");
    assertEquals(lookPath("./local", env, { root, cwd: "/work" }), "./local");
    assertEquals(lookPath("../bin/prog", env, { root, cwd: "/work" }), "../bin/prog");
    throws(() => lookPath("sh", env, { root, cwd: "/" }), /exec: "sh": executable file not found/);
    throws(() => lookPath("/bin/sh", env, { root, cwd: "/" }), /stat \/bin\/sh: no such file/);
    throws(
      () => lookPath("/bin/loop", env, { root, cwd: "/" }),
      /stat \/bin\/loop: .*symbolic links/,
    );
    throws(
      () => lookPath("/bin/data", env, { root, cwd: "/" }),
      /exec: "\/bin\/data": permission denied/,
    );
    throws(() => lookPath("/bin", env, { root, cwd: "/" }), /exec: "\/bin": is a directory/);
    throws(() => lookPath("prog", ["PATH=/nowhere"], { root, cwd: "/" }), /not found in \$PATH/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
