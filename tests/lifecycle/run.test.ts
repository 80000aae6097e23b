// `run` in the foreground, as root, on a real busybox container.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import {
  assertNothingLeft,
  leftovers,
  makeBundle,
  requireRoot,
  stateRoot,
  TSRUN,
  tsrun,
} from "../helpers/mod.ts";

const ignore = requireRoot("running containers");

Deno.test({ name: "run: output, pid 1, hostname and exit code", ignore }, async () => {
  const b = await makeBundle({
    args: ["sh", "-c", "echo hello; echo pid=$$; hostname; exit 3"],
    config: (c) => (c.hostname = "tsrun-box"),
  });
  try {
    const r = await tsrun(["run", "-b", b.dir, "run-exit"]);
    assertEquals(r.code, 3, r.stderr);
    assertEquals(r.stdout, "hello\npid=1\ntsrun-box\n");
    assertEquals(r.stderr, "");
    const after = await tsrun(["state", "run-exit"]);
    assertEquals(after.code, 1, "run deletes the container once it exits");
    assertNothingLeft({ path: b.dir, marker: "run-exit" });
  } finally {
    await b.cleanup();
  }
});

Deno.test({ name: "run: a container killed by a signal exits 128+N", ignore }, async () => {
  // Outside a pid namespace: a pid-namespace init cannot be killed from inside by its own signal.
  const b = await makeBundle({
    args: ["sh", "-c", "kill -9 $$"],
    config: (
      c,
    ) => (c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) =>
      n.type !== "pid"
    )),
  });
  try {
    const r = await tsrun(["run", "-b", b.dir, "run-signal"]);
    assertEquals(r.code, 137, r.stderr);
  } finally {
    await b.cleanup();
  }
});

Deno.test({ name: "run: stdin and stdout pass straight through", ignore }, async () => {
  const b = await makeBundle({ args: ["cat"] });
  try {
    const r = await tsrun(["run", "-b", b.dir, "run-stdin"], { stdin: "through the pipe\n" });
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "through the pipe\n");
  } finally {
    await b.cleanup();
  }
});

Deno.test(
  { name: "run: the process gets the config's env, cwd, user and rlimits", ignore },
  async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "echo $GREETING; pwd; id -u; id -g; ulimit -n"],
      config: (c) => {
        c.process.env = ["PATH=/bin", "GREETING=hi there"];
        c.process.cwd = "/tmp";
        c.process.user = { uid: 1000, gid: 1000 };
        c.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 512, hard: 512 }];
      },
    });
    try {
      const r = await tsrun(["run", "-b", b.dir, "run-process"]);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout, "hi there\n/tmp\n1000\n1000\n512\n");
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "run --detach returns at once and leaves a running container", ignore },
  async () => {
    // The container must not hold the test's stdout pipe open, or reading it would wait for it.
    const b = await makeBundle({ args: ["sh", "-c", "exec sleep 30 >/dev/null 2>&1"] });
    try {
      const r = await tsrun(["run", "-d", "--pid-file", `${b.dir}/pid`, "-b", b.dir, "run-detach"]);
      assertEquals(r.code, 0, r.stderr);
      const pid = Deno.readTextFileSync(`${b.dir}/pid`);
      match(pid, /^\d+$/, "pid file: decimal, no newline");
      const st = JSON.parse((await tsrun(["state", "run-detach"])).stdout);
      assertEquals([st.status, st.pid], ["running", Number(pid)]);
      assertEquals((await tsrun(["delete", "--force", "run-detach"])).code, 0);
      ok(!Deno.readDirSync(stateRoot()).some((e) => e.name === "run-detach"));
      assertEquals(leftovers({ path: b.dir, marker: "run-detach" }).processes, []);
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({ name: "run --no-pivot works", ignore }, async () => {
  const b = await makeBundle({ args: ["sh", "-c", "ls /"] });
  try {
    const r = await tsrun(["run", "--no-pivot", "-b", b.dir, "run-nopivot"]);
    assertEquals(r.code, 0, r.stderr);
    match(r.stdout, /bin/);
  } finally {
    await b.cleanup();
  }
});

Deno.test({ name: "run forwards signals to the container's init", ignore }, async () => {
  const b = await makeBundle({
    args: [
      "sh",
      "-c",
      "trap 'echo got TERM; exit 7' TERM; echo ready; while true; do sleep 0.05; done",
    ],
  });
  try {
    const child = new Deno.Command(TSRUN, {
      args: ["--root", stateRoot(), "run", "-b", b.dir, "run-forward"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assertEquals(first, "ready\n");
    child.kill("SIGTERM");
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    const status = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assertEquals([rest, status.code, stderr], ["got TERM\n", 7, ""]);
  } finally {
    await b.cleanup();
  }
});
