// Hooks in real containers: each runs at its point, in the namespaces the spec gives it, with the
// state on stdin; args (argv[0] too), env and timeout are honoured; a failing hook fails create
// and leaves nothing, while poststart and poststop failures are warnings.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { assertNothingLeft, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { uniqueId } from "./util.ts";

const ignore = requireRoot("running containers");
const NS = ["mnt", "pid", "uts", "net", "ipc"];

/** A hook script on the host that appends "phase ns... state" as one JSON line to `out`. */
function recorder(dir: string): string {
  const path = join(dir, "record.sh");
  Deno.writeTextFileSync(
    path,
    `#!/bin/sh
phase=$1 out=$2
ns=""
for n in ${NS.join(" ")}; do ns="$ns\\"$n\\":\\"$(readlink /proc/self/ns/$n)\\","; done
printf '{%s"phase":"%s","state":%s}\\n' "$ns" "$phase" "$(cat)" >> "$out"
`,
  );
  Deno.chmodSync(path, 0o755);
  return path;
}

interface HookRecord {
  phase: string;
  state: { status: string; id: string; pid: number; bundle: string };
  [ns: string]: unknown;
}

const ownNs = () => Object.fromEntries(NS.map((n) => [n, Deno.readLinkSync(`/proc/self/ns/${n}`)]));

Deno.test({ name: "hooks: points, namespaces and state on stdin", ignore }, async () => {
  const b = await makeBundle();
  const out = join(b.dir, "hooks.jsonl");
  const script = recorder(b.dir);
  const id = uniqueId("hooks");
  const hook = (phase: string) => [{ path: script, args: ["record", phase, out] }];
  // startContainer runs inside the container: the rootfs's shell, writing to a bound directory.
  b.config.mounts.push({ destination: "/rec", type: "bind", source: b.dir, options: ["bind"] });
  b.config.process.args = [
    "sh",
    "-c",
    `for n in ${NS.join(" ")}; do readlink /proc/self/ns/$n; done > /rec/container-ns`,
  ];
  b.config.hooks = {
    prestart: hook("prestart"),
    createRuntime: hook("createRuntime"),
    createContainer: hook("createContainer"),
    startContainer: [{
      path: "/bin/sh",
      args: [
        "sh",
        "-c",
        `printf '{"phase":"startContainer","mnt":"%s","state":%s}\\n' ` +
        `"$(readlink /proc/self/ns/mnt)" "$(cat)" >> /rec/hooks.jsonl`,
      ],
    }],
    poststart: hook("poststart"),
    poststop: hook("poststop"),
  };
  b.writeConfig();
  try {
    const created = await tsrun(["create", "-b", b.dir, id]);
    assertEquals(created.code, 0, created.stderr);
    const pid = JSON.parse((await tsrun(["state", id])).stdout).pid;
    const initNs = Object.fromEntries(
      NS.map((n) => [n, Deno.readLinkSync(`/proc/${pid}/ns/${n}`)]),
    );
    assertEquals((await tsrun(["start", id])).code, 0);
    for (
      let i = 0;
      i < 100 && !(await Deno.stat(join(b.dir, "container-ns")).catch(() => null));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    for (
      let i = 0;
      i < 100 && JSON.parse((await tsrun(["state", id])).stdout).status !== "stopped";
      i++
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals((await tsrun(["delete", id])).code, 0);
    const records: HookRecord[] = Deno.readTextFileSync(out).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assertEquals(records.map((r) => r.phase), [
      "prestart",
      "createRuntime",
      "createContainer",
      "startContainer",
      "poststart",
      "poststop",
    ]);
    const host = ownNs();
    const pick = (r: HookRecord, names: string[]) =>
      Object.fromEntries(names.map((n) => [n, r[n]]));
    for (const r of records) {
      assertEquals(r.state.id, id);
      assertEquals(r.state.bundle, b.dir);
      if (r.phase !== "poststop") assertEquals(r.state.pid, pid, r.phase);
      if (["prestart", "createRuntime", "poststart", "poststop"].includes(r.phase)) {
        assertEquals(pick(r, NS), host, `${r.phase} runs in the runtime's namespaces`);
      }
    }
    assertEquals(pick(records[2], NS), initNs, "createContainer runs in the container's");
    assertEquals(records[3].mnt, initNs.mnt, "startContainer runs in the container's");
    assertEquals(
      Deno.readTextFileSync(join(b.dir, "container-ns")).trim().split("\n"),
      NS.map((n) => initNs[n]),
    );
    assertEquals(
      records.map((r) => r.state.status),
      ["creating", "creating", "creating", "created", "running", "stopped"],
    );
  } finally {
    await tsrun(["delete", "--force", id]);
    await b.cleanup();
  }
});

Deno.test(
  { name: "hooks: argv[0], env, and the runtime's env when none is given", ignore },
  async () => {
    const b = await makeBundle({ args: ["true"] });
    const out = join(b.dir, "out");
    // busybox picks its applet from argv[0]: only an honoured args[0] makes it a shell.
    b.config.hooks = {
      prestart: [
        {
          path: "/bin/busybox",
          args: ["sh", "-c", `echo "$0 $FOO|$TSRUN_MARK" >> ${out}`],
          env: ["FOO=bar"],
        },
        { path: "/bin/busybox", args: ["sh", "-c", `echo "$0 $FOO|$TSRUN_MARK" >> ${out}`] },
      ],
    };
    b.writeConfig();
    try {
      const r = await tsrun(["run", "-b", b.dir, uniqueId("argv")], {
        env: { TSRUN_MARK: "inherited" },
      });
      assertEquals(r.code, 0, r.stderr);
      assertEquals(Deno.readTextFileSync(out), "sh bar|\nsh |inherited\n");
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "hooks: a failing or slow create-time hook fails create and leaves nothing",
  ignore,
}, async () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "prestart",
      { prestart: [{ path: "/bin/sh", args: ["sh", "-c", "echo bad >&2; exit 3"] }] },
      /prestart hook \/bin\/sh failed: exit status 3, stderr: bad/,
    ],
    [
      "createRuntime",
      { createRuntime: [{ path: "/nonexistent/hook" }] },
      /createRuntime hook \/nonexistent\/hook.*no such file/i,
    ],
    [
      "createContainer",
      { createContainer: [{ path: "/bin/false" }] },
      /createContainer hook \/bin\/false failed: exit status 1/,
    ],
    [
      "timeout",
      { prestart: [{ path: "/bin/sleep", args: ["sleep", "30"], timeout: 1 }] },
      /prestart hook \/bin\/sleep timed out after 1s/,
    ],
  ];
  for (const [what, hooks, message] of cases) {
    const b = await makeBundle({ args: ["true"] });
    const id = uniqueId(`fail-${what}`);
    b.config.hooks = hooks;
    b.writeConfig();
    try {
      const started = Date.now();
      const r = await tsrun(["create", "-b", b.dir, id]);
      ok(r.code !== 0, what);
      match(r.stderr, message, what);
      ok(Date.now() - started < 10_000, `${what} took ${Date.now() - started} ms`);
      assertEquals((await tsrun(["state", id])).code, 1, `${what}: no container left`);
      assertNothingLeft({ path: b.dir, marker: id });
    } finally {
      await b.cleanup();
    }
  }
});

Deno.test({ name: "hooks: poststart and poststop failures are warnings", ignore }, async () => {
  const b = await makeBundle({ args: ["true"] });
  b.config.hooks = {
    poststart: [{ path: "/bin/false" }, {
      path: "/bin/sh",
      args: ["sh", "-c", `echo ran > ${join(b.dir, "second")}`],
    }],
    poststop: [{ path: "/bin/false" }],
  };
  b.writeConfig();
  try {
    const r = await tsrun(["run", "-b", b.dir, uniqueId("warn")]);
    assertEquals(r.code, 0, r.stderr);
    match(r.stderr, /poststart hook \/bin\/false failed/);
    match(r.stderr, /poststop hook \/bin\/false failed/);
    assertEquals(Deno.readTextFileSync(join(b.dir, "second")), "ran\n", "the next hook still runs");
  } finally {
    await b.cleanup();
  }
});

Deno.test({
  name: "hooks: a failing startContainer hook stops the container before its process",
  ignore,
}, async () => {
  const b = await makeBundle({ args: ["sh", "-c", "touch /rec/ran"] });
  b.config.mounts.push({ destination: "/rec", type: "bind", source: b.dir, options: ["bind"] });
  b.config.hooks = { startContainer: [{ path: "/bin/false" }] };
  b.writeConfig();
  const id = uniqueId("startc");
  try {
    assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
    await tsrun(["start", id]);
    let status = "";
    for (let i = 0; i < 100 && status !== "stopped"; i++) {
      status = JSON.parse((await tsrun(["state", id])).stdout).status;
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEquals(status, "stopped");
    ok(!(await Deno.stat(join(b.dir, "ran")).catch(() => null)), "the process never ran");
  } finally {
    await tsrun(["delete", "--force", id]);
    await b.cleanup();
  }
});

Deno.test({ name: "hooks: startContainer runs in a container without /proc", ignore }, async () => {
  const b = await makeBundle({ args: ["true"] });
  b.config.mounts = [{ destination: "/rec", type: "bind", source: b.dir, options: ["bind"] }];
  b.config.hooks = {
    startContainer: [{ path: "/bin/sh", args: ["sh", "-c", "echo ran > /rec/started"] }],
  };
  b.writeConfig();
  try {
    const r = await tsrun(["run", "-b", b.dir, uniqueId("noproc")]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(Deno.readTextFileSync(join(b.dir, "started")), "ran\n");
  } finally {
    await b.cleanup();
  }
});
