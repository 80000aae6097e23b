// exec joins the container for real: every namespace, the cgroups, the root; exit statuses come
// back as runc reports them; a missing program or a stopped, paused or unknown container start
// nothing.
import { deepStrictEqual as assertEquals, match, notEqual, ok } from "node:assert/strict";
import { makeBundle, requireRoot, skipUnless, stateRoot, TSRUN, tsrun } from "../helpers/mod.ts";
import { cgroupMembers, exec, runningContainer, sleep } from "./util.ts";

const ignore = requireRoot("exec");
const pidsV1 = (() => {
  try {
    return Deno.statSync("/sys/fs/cgroup/pids/cgroup.procs").isFile;
  } catch {
    return false;
  }
})();

Deno.test(
  { name: "exec runs in the container's namespaces, cgroups and root", ignore },
  async () => {
    const c = await runningContainer("exec-join");
    try {
      const names = ["cgroup", "ipc", "mnt", "net", "pid", "uts"];
      const r = await exec(c.id, [
        "sh",
        "-c",
        `for n in ${names.join(" ")}; do readlink /proc/self/ns/$n; done; echo $$; hostname; ` +
        "cat /proc/self/cgroup /etc/passwd; ps",
      ]);
      assertEquals([r.code, r.stderr], [0, ""]);
      const lines = r.stdout.split("\n");
      const inits = names.map((n) => Deno.readLinkSync(`/proc/${c.pid}/ns/${n}`));
      assertEquals(lines.slice(0, names.length), inits);
      for (const n of ["ipc", "mnt", "net", "pid", "uts"]) {
        notEqual(
          Deno.readLinkSync(`/proc/self/ns/${n}`),
          Deno.readLinkSync(`/proc/${c.pid}/ns/${n}`),
        );
      }
      const [pid, hostname] = lines.slice(names.length, names.length + 2);
      ok(Number(pid) > 1, `a new pid in the container's pid namespace, got ${pid}`);
      assertEquals(hostname, "tsrun-test");
      const rest = lines.slice(names.length + 2).join("\n");
      const cgroup = Deno.readTextFileSync(`/proc/${c.pid}/cgroup`);
      const passwd = Deno.readTextFileSync(`${c.rootfs}/etc/passwd`);
      ok(
        rest.startsWith(cgroup + passwd),
        `same cgroups as the init, the container's files:\n${rest}`,
      );
      match(rest, /^\s*1 root\s+sleep 600$/m, "ps sees the container's init as pid 1");
      assertEquals(cgroupMembers(c.pid), [c.pid], "the exec'd process is gone from the cgroup");
    } finally {
      await c.remove();
    }
  },
);

Deno.test({ name: "exit codes, 128+N for a signal, signals forwarded", ignore }, async () => {
  const c = await runningContainer("exec-status");
  try {
    assertEquals((await exec(c.id, ["sh", "-c", "exit 7"])).code, 7);
    assertEquals((await exec(c.id, ["sh", "-c", "kill -KILL $$"])).code, 128 + 9);
    // tsrun in the foreground passes SIGTERM on to the process and exits as it does.
    const fg = new Deno.Command(TSRUN, {
      args: ["--root", stateRoot(), "exec", c.id, "sleep", "60"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    for (let i = 0; i < 200 && cgroupMembers(c.pid).length < 2; i++) await sleep(25);
    assertEquals(cgroupMembers(c.pid).length, 2, "sleep runs in the container");
    fg.kill("SIGTERM");
    const st = await fg.output();
    assertEquals([st.code, new TextDecoder().decode(st.stderr)], [128 + 15, ""]);
  } finally {
    await c.remove();
  }
});

Deno.test({ name: "a missing program fails before anything starts", ignore }, async () => {
  const c = await runningContainer("exec-missing");
  try {
    const cases: [string, string][] = [
      ["nope", 'exec: "nope": executable file not found in $PATH'],
      ["/bin/nope", 'exec: "/bin/nope": stat /bin/nope: no such file or directory'],
      ["/etc", 'exec: "/etc": is a directory'],
      ["/etc/passwd", 'exec: "/etc/passwd": permission denied'],
    ];
    for (const [prog, msg] of cases) {
      const r = await exec(c.id, [prog]);
      assertEquals([r.code, r.stdout, r.stderr], [255, "", `tsrun: exec failed: ${msg}\n`]);
    }
    assertEquals(cgroupMembers(c.pid), [c.pid], "nothing was started");
    // A symlink out of the container's root is resolved inside it.
    Deno.symlinkSync("/usr/bin/env", `${c.rootfs}/hostenv`);
    const r = await exec(c.id, ["/hostenv"]);
    assertEquals(r.code, 255);
    match(r.stderr, /stat \/hostenv: no such file or directory/);
    const cwd = await exec(c.id, ["true"], ["--cwd", "/nope"]);
    assertEquals(cwd.code, 255);
    match(cwd.stderr, /^tsrun: exec failed: .*chdir to cwd "\/nope".*no such file or directory/i);
    assertEquals(cgroupMembers(c.pid), [c.pid]);
  } finally {
    await c.remove();
  }
});

Deno.test(
  { name: "exec into unknown, stopped, paused and created containers", ignore },
  async () => {
    const unknown = await exec("exec-none", ["true"]);
    assertEquals([unknown.code, unknown.stderr], [
      255,
      "tsrun: exec failed: container does not exist: exec-none\n",
    ]);

    const c = await runningContainer("exec-paused");
    try {
      assertEquals((await tsrun(["pause", c.id])).code, 0);
      const refused = await exec(c.id, ["true"]);
      assertEquals(refused.code, 255);
      match(refused.stderr, /cannot exec in a paused container \(use --ignore-paused/);
      // Allowed, the process starts frozen and runs once the container resumes.
      let done = false;
      const pending = exec(c.id, ["echo", "thawed"], ["--ignore-paused"]).finally(() =>
        done = true
      );
      // The freezer stops it as soon as it joins: look in the freezer's cgroup.
      const frozen = () => cgroupMembers(c.pid, "freezer").length;
      for (let i = 0; i < 400 && frozen() < 2; i++) await sleep(25);
      assertEquals(frozen(), 2, "the process joined the frozen cgroup");
      await sleep(200);
      assertEquals(done, false, "it waits for resume");
      assertEquals((await tsrun(["resume", c.id])).code, 0);
      assertEquals(await pending.then((r) => [r.code, r.stdout, r.stderr]), [0, "thawed\n", ""]);
    } finally {
      await c.remove();
    }

    // A created container's init is set up and waits for `start`: exec works there too.
    const b = await makeBundle({ args: ["true"] });
    try {
      assertEquals((await tsrun(["create", "-b", b.dir, "exec-created"])).code, 0);
      const r = await exec("exec-created", ["hostname"]);
      assertEquals([r.code, r.stdout, r.stderr], [0, "tsrun-test\n", ""]);
    } finally {
      await tsrun(["delete", "-f", "exec-created"]);
      await b.cleanup();
    }

    const s = await runningContainer("exec-stopped", { args: ["true"] });
    try {
      for (let i = 0; i < 100; i++) {
        const st = await tsrun(["state", s.id]);
        if (JSON.parse(st.stdout).status === "stopped") break;
        await sleep(50);
      }
      const r = await exec(s.id, ["true"]);
      assertEquals([r.code, r.stderr], [
        255,
        "tsrun: exec failed: cannot exec in a stopped container\n",
      ]);
    } finally {
      await s.remove();
    }
  },
);

Deno.test({
  name: "--cgroup runs the process in a sub-cgroup of the container's",
  ignore: ignore || skipUnless(pidsV1, "--cgroup controller:path needs a v1 pids hierarchy"),
}, async () => {
  const c = await runningContainer("exec-subcg");
  const line = Deno.readTextFileSync(`/proc/${c.pid}/cgroup`).split("\n")
    .find((l) => l.split(":")[1] === "pids");
  const sub = `/sys/fs/cgroup/pids${line!.split(":")[2]}/sub`;
  try {
    Deno.mkdirSync(sub);
    const r = await exec(c.id, ["cat", "/proc/self/cgroup"], ["--cgroup", "pids:sub"]);
    assertEquals(r.code, 0, r.stderr);
    const want = Deno.readTextFileSync(`/proc/${c.pid}/cgroup`).replace(
      /^(\d+:pids:.*)$/m,
      "$1/sub",
    );
    assertEquals(r.stdout, want);
    const escape = await exec(c.id, ["true"], ["--cgroup", "pids:../../x"]);
    assertEquals([escape.code, escape.stderr], [
      255,
      "tsrun: exec failed: --cgroup ../../x: leaves the container's cgroup\n",
    ]);
    const unknown = await exec(c.id, ["true"], ["--cgroup", "nope:x"]);
    assertEquals([unknown.code, unknown.stderr], [
      255,
      "tsrun: exec failed: --cgroup: unknown controller nope\n",
    ]);
  } finally {
    await c.remove();
  }
});

Deno.test({ name: "the working directory cannot lead out of the container", ignore }, async () => {
  const c = await runningContainer("exec-cwd");
  try {
    // Resolved inside the root: "..", absolute links and all.
    Deno.symlinkSync("../../../../../../../etc", `${c.rootfs}/up`);
    Deno.symlinkSync("/etc", `${c.rootfs}/abs`);
    for (const cwd of ["/up", "/abs", "/../../etc"]) {
      const r = await exec(c.id, ["sh", "-c", "cat passwd"], ["--cwd", cwd]);
      assertEquals([r.code, r.stdout], [0, Deno.readTextFileSync(`${c.rootfs}/etc/passwd`)], cwd);
    }
    // A /proc magic link, e.g. to a host directory fd tsrun holds (CVE-2024-21626), is refused.
    for (const cwd of ["/proc/self/fd/3", "/proc/self/fd/5", "/proc/self/cwd"]) {
      const r = await exec(c.id, ["pwd"], ["--cwd", cwd]);
      assertEquals(r.code, 255, `${cwd}: ${r.stdout}`);
      match(r.stderr, new RegExp(`^tsrun: exec failed: chdir to cwd "${cwd}": `));
    }
  } finally {
    await c.remove();
  }
});
