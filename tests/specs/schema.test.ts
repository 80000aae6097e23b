// Structural checks: zod issues become JSON-pointer problems with readable messages.
import assert from "node:assert/strict";
import {
  FeaturesSchema,
  formatProblem,
  parseProcess,
  parseResources,
  StateSchema,
} from "../../specs/config.ts";
import { assertClean, assertOnly, assertProblems, problemsAfter } from "./util.ts";

Deno.test("base config has no problems", () => assertClean(() => {}));

Deno.test("wrong types name the pointer, expected and received type", () => {
  assertOnly((c) => c.ociVersion = 1, "error", "/ociVersion", /^expected string, got number 1$/);
  assertOnly(
    (c) => c.process.args = "sh",
    "error",
    "/process/args",
    /expected array, got string "sh"/,
  );
  assertOnly(
    (c) => c.process.env = [5],
    "error",
    "/process/env/0",
    /expected string, got number 5/,
  );
  assertOnly((c) => c.process.terminal = "yes", "error", "/process/terminal", /expected boolean/);
  assertOnly((c) => c.linux.sysctl = [], "error", "/linux/sysctl", /expected object, got an array/);
  assertOnly((c) => c.annotations = { a: 1 }, "error", "/annotations/a", /expected string/);
  assertOnly((c) => c.mounts = [null], "error", "/mounts/0", /expected object, got null/);
});

Deno.test("missing required fields say required", () => {
  assertOnly((c) => delete c.ociVersion, "error", "/ociVersion", /^required$/);
  assertOnly((c) => delete c.process.cwd, "error", "/process/cwd", /^required$/);
  assertOnly((c) => c.mounts = [{ type: "tmpfs" }], "error", "/mounts/0/destination", /^required$/);
  assertOnly((c) => c.hooks = { poststop: [{}] }, "error", "/hooks/poststop/0/path", /^required$/);
  assertOnly(
    (c) => c.linux.seccomp = {},
    "error",
    "/linux/seccomp/defaultAction",
    /^required$/,
  );
});

Deno.test("enums list the accepted values", () => {
  assertOnly(
    (c) => c.linux.namespaces[2].type = "pidd",
    "error",
    "/linux/namespaces/2/type",
    /^unknown namespace "pidd", expected one of cgroup, ipc, mount, network, pid, time, user, uts$/,
  );
  assertOnly(
    (c) => c.linux.rootfsPropagation = "privat",
    "error",
    "/linux/rootfsPropagation",
    /unknown rootfs propagation "privat"/,
  );
  assertOnly(
    (c) => c.process.rlimits = [{ type: "RLIMIT_FOO", soft: 1, hard: 1 }],
    "error",
    "/process/rlimits/0/type",
    /unknown rlimit "RLIMIT_FOO", expected one of RLIMIT_AS, /,
  );
  assertOnly(
    (c) => c.linux.devices = [{ type: "x", path: "/dev/x" }],
    "error",
    "/linux/devices/0/type",
    /unknown device type "x", expected one of b, c, p, u/,
  );
  assertOnly(
    (c) => c.process.ioPriority = { class: 3, priority: 0 },
    "error",
    "/process/ioPriority/class",
    /expected one of IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE, IOPRIO_CLASS_RT, got number 3/,
  );
  assertOnly(
    (c) => c.linux.personality = { domain: "LINUX64" },
    "error",
    "/linux/personality/domain",
    /unknown personality domain "LINUX64"/,
  );
  assertOnly(
    (c) => c.process.scheduler = { policy: "SCHED_NORMAL" },
    "error",
    "/process/scheduler/policy",
    /unknown scheduler policy/,
  );
});

Deno.test("rootfsPropagation accepts runc's recursive forms", () => {
  for (const p of ["private", "rprivate", "shared", "rshared", "slave", "rslave"]) {
    assertClean((c) => c.linux.rootfsPropagation = p);
  }
});

Deno.test("integers are checked against their width", () => {
  assertOnly(
    (c) => c.process.user.uid = -1,
    "error",
    "/process/user/uid",
    /expected uint32 \(0\.\.4294967295\), got -1/,
  );
  assertOnly((c) => c.process.user.gid = 2 ** 32, "error", "/process/user/gid", /uint32/);
  assertOnly((c) => c.process.user.uid = 1.5, "error", "/process/user/uid", /got 1\.5/);
  assertOnly((c) => c.process.oomScoreAdj = 2 ** 31, "error", "/process/oomScoreAdj", /int32/);
  assertOnly(
    (c) => c.process.rlimits = [{ type: "RLIMIT_CORE", soft: -1, hard: 0 }],
    "error",
    "/process/rlimits/0/soft",
    /uint64/,
  );
  assertOnly(
    (c) => c.hooks = { poststop: [{ path: "/bin/true", timeout: 0 }] },
    "error",
    "/hooks/poststop/0/timeout",
    />= 1, got 0/,
  );
});

Deno.test("uint64 accepts RLIM_INFINITY as JSON.parse rounds it", () => {
  const infinity = JSON.parse("18446744073709551615");
  assertClean((c) => c.process.rlimits = [{ type: "RLIMIT_CORE", soft: infinity, hard: infinity }]);
});

Deno.test("unknown fields are accepted with a warning naming a close known field", () => {
  assertOnly(
    (c) => c.process.cwdd = "/",
    "warning",
    "/process/cwdd",
    /unknown field, ignored \(did you mean "cwd"\?\)/,
  );
  assertOnly(
    (c) => c.linux.namspaces = [],
    "warning",
    "/linux/namspaces",
    /did you mean "namespaces"/,
  );
  assertOnly((c) => c.root.Readonly = true, "warning", "/root/Readonly", /did you mean "readonly"/);
  assertOnly((c) => c["org.example"] = {}, "warning", "/org.example", /^unknown field, ignored$/);
  // Keys of maps are data, not fields.
  assertClean((c) => c.annotations = { "com.example.anything": "x" });
});

Deno.test("pointers escape ~ and / (RFC 6901)", () => {
  assertOnly(
    (c) => c.annotations = { "a/b~c": 5 },
    "error",
    "/annotations/a~1b~0c",
    /expected string/,
  );
});

Deno.test("all structural errors are reported in one run", () => {
  const problems = problemsAfter((c) => {
    c.ociVersion = 1;
    c.process.cwd = 5;
    c.linux.namespaces[0].type = "pidd";
  });
  assertProblems(problems, [
    ["error", "/ociVersion", /expected string/],
    ["error", "/process/cwd", /expected string/],
    ["error", "/linux/namespaces/0/type", /unknown namespace/],
  ]);
});

Deno.test("semantic checks still run on the parts that parsed", () => {
  const problems = problemsAfter((c) => {
    c.process.cwd = 5; // structural: process checks are skipped
    c.hostname = "x".repeat(65); // semantic, independent of process
    delete c.root;
  });
  assertProblems(problems, [
    ["error", "/process/cwd", /expected string/],
    ["error", "/root", /required on Linux/],
    ["error", "/hostname", /longer than 64 bytes/],
  ]);
});

Deno.test("parseProcess: exec --process documents", () => {
  const ok = parseProcess({ cwd: "/", args: ["ls"], user: { uid: 1, gid: 1 } });
  assert.equal(ok.value?.args?.[0], "ls");
  assert.deepEqual(ok.problems, []);
  const bad = parseProcess({ cwd: "tmp", args: [], user: { uid: 0, gid: 0 } });
  assert.deepEqual(bad.problems.map((p) => [p.pointer, p.severity]), [
    ["/cwd", "error"],
    ["/args", "error"],
  ]);
  const broken = parseProcess({ args: ["ls"] });
  assert.equal(broken.value, undefined);
  assert.deepEqual(broken.problems.map((p) => formatProblem(p)), ["/cwd: required"]);
  assert.deepEqual(parseProcess(null).problems.map((p) => p.pointer), [""]);
});

Deno.test("parseResources: update --resources documents", () => {
  const ok = parseResources({ pids: { limit: 10 } });
  assert.equal(ok.value?.pids?.limit, 10);
  assert.deepEqual(ok.problems, []);
  const bad = parseResources({ pids: { limit: "x" } });
  assert.equal(bad.value, undefined);
  assert.deepEqual(bad.problems.map((p) => p.pointer), ["/pids/limit"]);
  // Semantic checks of the resources module run too.
  const semantic = parseResources({ memory: { swappiness: 101 } });
  assert.deepEqual(semantic.problems.map((p) => p.pointer), ["/memory/swappiness"]);
});

Deno.test("state schema", () => {
  const state = { ociVersion: "1.2.0", id: "c1", status: "running", pid: 42, bundle: "/b" };
  assert.ok(StateSchema.safeParse(state).success);
  assert.ok(!StateSchema.safeParse({ ...state, status: "paused" }).success);
  assert.ok(!StateSchema.safeParse({ ...state, pid: -1 }).success);
  const { bundle: _, ...noBundle } = state;
  assert.ok(!StateSchema.safeParse(noBundle).success);
});

Deno.test("features schema", () => {
  assert.ok(FeaturesSchema.safeParse({ ociVersionMin: "1.0.0", ociVersionMax: "1.2.0" }).success);
  assert.ok(!FeaturesSchema.safeParse({ ociVersionMin: "1.0.0" }).success);
  assert.ok(
    !FeaturesSchema.safeParse({
      ociVersionMin: "1.0.0",
      ociVersionMax: "1.2.0",
      linux: { namespaces: ["bogus"] },
    }).success,
  );
});
