// Semantic rules on process: one passing and one failing case each, with exact pointers.
import { assertClean, assertOnly, assertProblems, notApplied, problemsAfter } from "./util.ts";

Deno.test("ociVersion must be SemVer 1.x", () => {
  assertClean((c) => c.ociVersion = "1.0.2-dev");
  assertOnly((c) => c.ociVersion = "1.2", "error", "/ociVersion", /not a SemVer version/);
  assertOnly((c) => c.ociVersion = "2.0.0", "error", "/ociVersion", /not supported/);
  assertOnly((c) => c.ociVersion = "1.3.0", "warning", "/ociVersion", /newer than 1\.2\.0/);
});

Deno.test("process is optional in the spec but create needs it", () => {
  assertOnly((c) => delete c.process, "warning", "/process", /create needs a process/);
});

Deno.test("cwd must be absolute", () => {
  assertClean((c) => c.process.cwd = "/home/user");
  assertOnly((c) => c.process.cwd = "home", "error", "/process/cwd", /must be absolute/);
  assertOnly((c) => c.process.cwd = "/a\0b", "error", "/process/cwd", /NUL byte/);
});

Deno.test("args needs a program", () => {
  assertOnly((c) => c.process.args = [], "error", "/process/args", /at least one entry/);
  assertOnly((c) => delete c.process.args, "error", "/process/args", /at least one entry/);
  assertOnly((c) => c.process.args = [""], "error", "/process/args/0", /program name is empty/);
});

Deno.test("env entries are KEY=VALUE; other strings are only a warning (runc's rule)", () => {
  assertClean((c) => c.process.env = ["A=1", "B=", "C=x=y"]);
  assertOnly((c) => c.process.env = ["A=1", "NOVALUE"], "warning", "/process/env/1", /not KEY=/);
  assertOnly((c) => c.process.env = ["=x"], "warning", "/process/env/0", /empty variable name/);
  assertOnly((c) => c.process.env = ["A=\0"], "error", "/process/env/0", /NUL byte/);
  assertOnly(
    (c) => c.process.env = ["A=1", "B=2", "A=3"],
    "warning",
    "/process/env/2",
    /A is also set by entry 0/,
  );
});

Deno.test("user: uid and gid are required on Linux, username is Windows only", () => {
  assertOnly((c) => delete c.process.user, "warning", "/process/user", /uid 0, gid 0/);
  assertOnly((c) => delete c.process.user.gid, "error", "/process/user/gid", /required on Linux/);
  assertOnly((c) => c.process.user.username = "me", "warning", "/process/user/username", /Windows/);
  assertClean((c) => c.process.user.umask = 0o22);
  assertOnly(
    (c) => c.process.user.umask = 0o1777,
    "warning",
    "/process/user/umask",
    /permission bits/,
  );
});

Deno.test("commandLine is Windows only", () => {
  assertOnly((c) => c.process.commandLine = "sh", "warning", "/process/commandLine", /Windows/);
});

Deno.test("consoleSize only with a terminal", () => {
  assertClean((c) =>
    Object.assign(c.process, { terminal: true, consoleSize: { height: 1, width: 2 } })
  );
  assertOnly(
    (c) => c.process.consoleSize = { height: 25, width: 80 },
    "warning",
    "/process/consoleSize",
    /terminal is not true/,
  );
});

Deno.test("capabilities: known names, no duplicates", () => {
  const all = ["CAP_CHOWN", "CAP_BPF", "CAP_PERFMON", "CAP_CHECKPOINT_RESTORE"];
  assertClean((c) => c.process.capabilities = { bounding: all, permitted: all, effective: all });
  assertOnly(
    (c) => c.process.capabilities = { bounding: ["CAP_CHOWN", "CAP_FLY"] },
    "warning",
    "/process/capabilities/bounding/1",
    /unknown capability "CAP_FLY"/,
  );
  assertOnly(
    (c) => c.process.capabilities = { bounding: ["CAP_KILL", "CAP_KILL"] },
    "warning",
    "/process/capabilities/bounding/1",
    /listed twice/,
  );
});

Deno.test("capabilities: effective needs permitted, ambient needs permitted and inheritable", () => {
  assertOnly(
    (c) => c.process.capabilities = { effective: ["CAP_KILL"], permitted: [] },
    "warning",
    "/process/capabilities/effective/0",
    /effective but not permitted, so it cannot be granted: left out/,
  );
  const caps = ["CAP_KILL"];
  assertClean((c) =>
    c.process.capabilities = { ambient: caps, permitted: caps, inheritable: caps }
  );
  assertOnly(
    (c) => c.process.capabilities = { ambient: caps, permitted: caps },
    "warning",
    "/process/capabilities/ambient/0",
    /cannot be raised/,
  );
});

Deno.test("rlimits: no duplicates, soft <= hard", () => {
  const nofile = { type: "RLIMIT_NOFILE", soft: 1024, hard: 4096 };
  assertClean((c) => c.process.rlimits = [nofile, { type: "RLIMIT_CORE", soft: 0, hard: 0 }]);
  assertOnly(
    (c) => c.process.rlimits = [nofile, { ...nofile }],
    "error",
    "/process/rlimits/1/type",
    /already set by entry 0/,
  );
  assertOnly(
    (c) => c.process.rlimits = [{ ...nofile, soft: 5000 }],
    "error",
    "/process/rlimits/0/soft",
    /soft limit 5000 exceeds hard limit 4096/,
  );
});

Deno.test("oomScoreAdj is -1000..1000", () => {
  assertClean((c) => c.process.oomScoreAdj = -1000);
  assertOnly((c) => c.process.oomScoreAdj = 1001, "error", "/process/oomScoreAdj", /-1000\.\.1000/);
});

Deno.test("ioPriority priority is 0..7, and required (config.md says so, its schema does not)", () => {
  assertOnly(
    (c) => c.process.ioPriority = { class: "IOPRIO_CLASS_BE" },
    "error",
    "/process/ioPriority/priority",
    /^required$/,
  );
  assertProblems(
    problemsAfter((c) => c.process.ioPriority = { class: "IOPRIO_CLASS_BE", priority: 7 }),
    [
      ...notApplied("/process/ioPriority"),
    ],
  );
  assertProblems(
    problemsAfter((c) => c.process.ioPriority = { class: "IOPRIO_CLASS_BE", priority: 8 }),
    [
      ["error", "/process/ioPriority/priority", /0 \(highest\)\.\.7/],
      ...notApplied("/process/ioPriority"),
    ],
  );
});

Deno.test("scheduler: policies and their parameters", () => {
  const with_ = (scheduler: object) => problemsAfter((c) => c.process.scheduler = scheduler);
  const ok = notApplied("/process/scheduler");
  assertProblems(with_({ policy: "SCHED_OTHER", nice: -20 }), ok);
  assertProblems(with_({ policy: "SCHED_FIFO", priority: 99 }), ok);
  assertProblems(with_({ policy: "SCHED_DEADLINE", runtime: 10, deadline: 20, period: 30 }), ok);
  const fails = (s: object, ptr: string, msg: RegExp) =>
    assertProblems(with_(s), [["error", ptr, msg], ...ok]);
  fails({ policy: "SCHED_OTHER", nice: 20 }, "/process/scheduler/nice", /-20\.\.19/);
  fails({ policy: "SCHED_RR" }, "/process/scheduler/priority", /1\.\.99/);
  fails({ policy: "SCHED_BATCH", priority: 5 }, "/process/scheduler/priority", /only SCHED_FIFO/);
  fails({ policy: "SCHED_OTHER", runtime: 5 }, "/process/scheduler/runtime", /only SCHED_DEADLINE/);
  fails({ policy: "SCHED_ISO" }, "/process/scheduler/policy", /not implemented by Linux/);
  fails(
    { policy: "SCHED_DEADLINE", runtime: 30, deadline: 20 },
    "/process/scheduler/runtime",
    /exceeds deadline/,
  );
  fails(
    { policy: "SCHED_DEADLINE", runtime: 1, deadline: 20, period: 10 },
    "/process/scheduler/deadline",
    /exceeds period/,
  );
});

Deno.test("execCPUAffinity is a CPU list", () => {
  assertProblems(problemsAfter((c) => c.process.execCPUAffinity = { initial: "0-3,7" }), [
    ...notApplied("/process/execCPUAffinity"),
  ]);
  assertProblems(problemsAfter((c) => c.process.execCPUAffinity = { final: "3-1" }), [
    ["error", "/process/execCPUAffinity/final", /not a CPU list/],
    ...notApplied("/process/execCPUAffinity"),
  ]);
  assertProblems(problemsAfter((c) => c.process.execCPUAffinity = { final: "a" }), [
    ["error", "/process/execCPUAffinity/final", /CPU list/],
  ]);
});
