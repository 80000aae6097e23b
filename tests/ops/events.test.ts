// events: runc's JSON lines — stats once (--stats) or every --interval, and an oom event when the
// kernel OOM-kills a process of the container; the stream ends when the container stops.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { makeBundle, requireRoot, skipUnless, stateRoot, TSRUN, tsrun } from "../helpers/mod.ts";
import { hasV1, initPid, status, until } from "./util.ts";

const ignore = requireRoot("events on real containers");

/** `tsrun events ARGS` in the background, its stdout split into parsed lines as they come. */
function eventStream(args: string[]) {
  const child = new Deno.Command(TSRUN, {
    args: ["--root", stateRoot(), "events", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const events: Record<string, unknown>[] = [];
  const reading = (async () => {
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      for (let nl; (nl = buf.indexOf("\n")) >= 0; buf = buf.slice(nl + 1)) {
        events.push(JSON.parse(buf.slice(0, nl)));
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  return {
    events,
    async end() {
      const [s] = await Promise.all([child.status, reading]);
      return { code: s.code, stderr: await stderr };
    },
    kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
    },
  };
}

Deno.test({ name: "events --stats: one stats event in runc's shape", ignore }, async () => {
  const b = await makeBundle({
    args: ["sleep", "60"],
    config: (c) => (c.linux.resources.memory = { limit: 64 << 20 }),
  });
  const id = "ops-evstats";
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    const r = await tsrun(["events", "--stats", id]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const lines = r.stdout.trimEnd().split("\n");
    assertEquals(lines.length, 1);
    const e = JSON.parse(lines[0]);
    assertEquals([e.type, e.id, Object.keys(e)], ["stats", id, ["type", "id", "data"]]);
    for (const key of ["cpu", "memory", "pids", "blkio", "hugetlb"]) ok(key in e.data, key);
    ok(e.data.cpu.usage.total > 0, "cpu time used");
    assertEquals(e.data.memory.usage.limit, 64 << 20);
    ok(e.data.memory.usage.usage > 0);
    assertEquals(e.data.pids.current, 1);

    await tsrun(["kill", id, "KILL"]);
    await until(() => status(id), (s) => s === "stopped");
    for (const args of [["--stats", id], [id]]) {
      const stopped = await tsrun(["events", ...args]);
      assertEquals([stopped.code, stopped.stderr], [
        1,
        `tsrun: container with id ${id} is not running\n`,
      ]);
    }
    for (
      const [interval, why] of [["0s", "duration interval must be greater than 0"], [
        "5",
        'invalid value "5" for flag --interval: not a duration like 5s or 500ms',
      ]]
    ) {
      const bad = await tsrun(["events", "--interval", interval, id]);
      assertEquals([bad.code, bad.stderr], [1, `tsrun: ${why}\n`]);
    }
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});

Deno.test(
  { name: "events: stats every --interval until the container stops", ignore },
  async () => {
    const b = await makeBundle({ args: ["sleep", "60"] });
    const id = "ops-evstream";
    let stream: ReturnType<typeof eventStream> | undefined;
    try {
      assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
      const started = Date.now();
      stream = eventStream(["--interval", "200ms", id]);
      const events = stream.events;
      await until(() => events.length, (n) => n >= 3, 10_000);
      ok(events.length >= 3, "three stats events");
      ok(Date.now() - started >= 600, "no sooner than one interval each");
      ok(events.every((e) => e.type === "stats" && e.id === id));
      assertEquals((await tsrun(["kill", id, "KILL"])).code, 0);
      assertEquals(
        await stream.end(),
        { code: 0, stderr: "" },
        "the stream ends with the container",
      );
      stream = undefined;
    } finally {
      stream?.kill();
      await stream?.end();
      await tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "events: an oom event when the kernel OOM-kills a process of the container",
  ignore: ignore || skipUnless(hasV1("memory"), "needs the v1 memory controller (OOM eventfd)"),
}, async () => {
  // Waits for /tmp/go, has a subshell hold 64 MB under a 16 MB limit, then lives on. The
  // hog's oom_score_adj makes it the OOM killer's choice rather than the init.
  const hog = "echo 1000 > /proc/self/oom_score_adj; x=$(head -c 67108864 /dev/zero | tr '\\0' x)";
  const b = await makeBundle({
    args: ["sh", "-c", `while [ ! -e /tmp/go ]; do sleep 0.05; done; (${hog}); exec sleep 60`],
    config: (c) => {
      c.root.readonly = false;
      c.linux.resources.memory = { limit: 16 << 20, swap: 16 << 20 };
    },
  });
  const id = "ops-evoom";
  let stream: ReturnType<typeof eventStream> | undefined;
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    const pid = await initPid(id);
    stream = eventStream(["--interval", "100ms", id]);
    const events = stream.events;
    // A first stats event means the OOM watch is registered.
    await until(() => events.length, (n) => n > 0, 10_000);
    ok(events.length > 0, "the stream started");
    await Deno.writeTextFile(`${b.rootfs}/tmp/go`, "");
    const oom = await until(
      () => events.find((e) => e.type === "oom"),
      (e) => e !== undefined,
      10_000,
    );
    assertEquals(oom, { type: "oom", id });
    assertEquals(await status(id), "running", "the init survived; only the hog died");
    // The event may come before the shell, past its killed subshell, has exec'd sleep.
    const cmdline = () => Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    ok((await until(cmdline, (c) => c.startsWith("sleep"), 5_000)).startsWith("sleep"));
    assertEquals((await tsrun(["delete", "--force", id])).code, 0);
    assertEquals(await stream.end(), { code: 0, stderr: "" });
    stream = undefined;
  } finally {
    stream?.kill();
    await stream?.end();
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});
