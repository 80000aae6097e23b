// A create that fails leaves nothing behind: no state, cgroup, mount or process; the error is
// one line (and, with --log-format json, one JSON object in the log as engines parse it).
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { assertNothingLeft, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";

const ignore = requireRoot("failing containers");

async function assertGone(dir: string, id: string) {
  assertEquals((await tsrun(["state", id])).code, 1, "no state");
  assertNothingLeft({ path: dir, marker: id });
}

Deno.test(
  { name: "a missing executable fails at create with runc's message", ignore },
  async () => {
    const b = await makeBundle({ args: ["/nonexistent"] });
    try {
      const r = await tsrun(["create", "-b", b.dir, "fail-exe"]);
      assertEquals(r.code, 1);
      match(
        r.stderr,
        /^tsrun: .*exec: "\/nonexistent": stat \/nonexistent: no such file or directory\n$/,
      );
      await assertGone(b.dir, "fail-exe");
      b.config.process.args = ["nosuchcmd"];
      b.writeConfig();
      const p = await tsrun(["run", "-b", b.dir, "fail-exe"]);
      match(p.stderr, /executable file not found in \$PATH/);
      await assertGone(b.dir, "fail-exe");
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({ name: "an invalid config names the field and creates nothing", ignore }, async () => {
  const b = await makeBundle({
    args: ["true"],
    config: (c) => c.linux.namespaces.push({ type: "pidd" }),
  });
  try {
    const r = await tsrun(["create", "-b", b.dir, "fail-config"]);
    assertEquals(r.code, 1);
    match(r.stderr, /^tsrun: config.json: \/linux\/namespaces\/\d+\/type: .*pidd/);
    assertEquals(r.stderr.split("\n").length, 2, "one line");
    await assertGone(b.dir, "fail-config");
    Deno.writeTextFileSync(`${b.dir}/config.json`, "{ not json");
    const bad = await tsrun(["create", "-b", b.dir, "fail-config"]);
    assertEquals(bad.code, 1);
    match(bad.stderr, /^tsrun: config.json: /);
    await assertGone(b.dir, "fail-config");
    const none = await tsrun(["create", "-b", `${b.dir}/nowhere`, "fail-config"]);
    assertEquals(none.code, 1);
    match(none.stderr, /nowhere/);
  } finally {
    await b.cleanup();
  }
});

Deno.test({ name: "a missing rootfs and a bad namespace path fail cleanly", ignore }, async () => {
  const b = await makeBundle({ args: ["true"], config: (c) => (c.root.path = "no-rootfs") });
  try {
    const r = await tsrun(["create", "-b", b.dir, "fail-root"]);
    assertEquals(r.code, 1);
    match(r.stderr, /no-rootfs/);
    await assertGone(b.dir, "fail-root");
    b.config.root.path = "rootfs";
    b.config.linux.namespaces = [{ type: "mount" }, {
      type: "network",
      path: "/proc/self/ns/nope",
    }];
    b.writeConfig();
    const ns = await tsrun(["create", "-b", b.dir, "fail-root"]);
    assertEquals(ns.code, 1);
    match(ns.stderr, /network/);
    await assertGone(b.dir, "fail-root");
  } finally {
    await b.cleanup();
  }
});

Deno.test(
  { name: "a failing createRuntime hook fails create and leaves nothing", ignore },
  async () => {
    const b = await makeBundle({
      args: ["true"],
      config: (c) => (c.hooks = { createRuntime: [{ path: "/bin/false" }] }),
    });
    try {
      const r = await tsrun(["create", "-b", b.dir, "fail-hook"]);
      assertEquals(r.code, 1);
      match(r.stderr, /createRuntime hook \/bin\/false failed/);
      await assertGone(b.dir, "fail-hook");
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({ name: "--log-format json: one object per error, RFC 3339 time", ignore }, async () => {
  const b = await makeBundle({ args: ["/nonexistent"] });
  const log = `${b.dir}/log.json`;
  try {
    const r = await tsrun([
      "--log",
      log,
      "--log-format",
      "json",
      "create",
      "-b",
      b.dir,
      "fail-log",
    ]);
    assertEquals(r.code, 1);
    const lines = Deno.readTextFileSync(log).trim().split("\n");
    assertEquals(lines.length, 1, "podman decodes the whole file as one object");
    const entry = JSON.parse(lines[0]);
    assertEquals(Object.keys(entry).sort(), ["level", "msg", "time"]);
    assertEquals(entry.level, "error");
    match(entry.msg, /no such file or directory/);
    match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    ok(!Deno.readTextFileSync(log).includes("\n\n"));
  } finally {
    await b.cleanup();
  }
});
