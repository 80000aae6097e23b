// SCMP_ACT_NOTIFY on real busybox containers, as root: the agent at listenerPath gets the
// ContainerProcessState and the listener fd in one message, and what it answers is what the
// container's syscall returns.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { assertNothingLeft, type Config, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { syscallNumber } from "../../process/seccomp/arches.ts";
import { nativeArch } from "../../specs/syscalls.ts";
import { answerOne, closeFd, listenAgent } from "./notify-agent.ts";

const ignore = requireRoot("running containers");
const ENOTTY = 25;

function notifyMkdir(listenerPath: string) {
  return {
    defaultAction: "SCMP_ACT_ALLOW",
    listenerPath,
    listenerMetadata: "agent-meta",
    syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY" }],
  };
}

/** /tmp as a writable tmpfs, so that only the agent can make mkdir fail there. */
function writableTmp(c: Config): void {
  c.mounts.push({ destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid"] });
}

const MKDIR_THEN_TOUCH = "mkdir /tmp/x; echo mkdir=$?; touch /tmp/f && echo touch=ok; ls /tmp";

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

for (const nnp of [true, false]) {
  Deno.test({
    name: `seccomp notify: the agent gets the state and fd, and answers mkdir (nnp ${nnp})`,
    ignore,
  }, async () => {
    const id = `sc-notify-${nnp}`;
    const b = await makeBundle({ args: ["sh", "-c", MKDIR_THEN_TOUCH], config: writableTmp });
    const path = `${b.dir}/agent.sock`;
    b.config.process.noNewPrivileges = nnp;
    b.config.linux.seccomp = notifyMkdir(path);
    b.writeConfig();
    const agent = listenAgent(path);
    try {
      const received = agent.next();
      const run = tsrun(["run", "-b", b.dir, id]);
      const { state, fd } = await within(received, 20_000, "listener fd");
      let call;
      try {
        call = await answerOne(fd, ENOTTY, 20_000);
      } finally {
        closeFd(fd);
      }
      const r = await run;
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stdout, "mkdir=1\ntouch=ok\nf\n");
      match(r.stderr, /mkdir: can't create directory '\/tmp\/x': (Not a tty|Inappropriate ioctl)/);

      const arch = nativeArch();
      ok([syscallNumber(arch, "mkdir"), syscallNumber(arch, "mkdirat")].includes(call.nr));
      ok(call.pid > 0);
      const inner = state.state as Record<string, unknown>;
      assertEquals(state.ociVersion, b.config.ociVersion);
      assertEquals(state.fds, ["seccompFd"]);
      assertEquals(state.metadata, "agent-meta");
      assertEquals(state.pid, inner.pid);
      assertEquals(inner.id, id);
      assertEquals(inner.bundle, b.dir);
      assertEquals(inner.status, "creating");
      ok(typeof inner.pid === "number" && inner.pid > 0);
    } finally {
      agent.close();
      await tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  });
}

Deno.test(
  { name: "seccomp notify: no agent at listenerPath → create fails, nothing left", ignore },
  async () => {
    const id = "sc-notify-missing";
    const b = await makeBundle({ args: ["true"] });
    const path = `${b.dir}/no-agent.sock`;
    b.config.linux.seccomp = notifyMkdir(path);
    b.writeConfig();
    try {
      const r = await tsrun(["create", "-b", b.dir, id]);
      assertEquals(r.code, 1);
      assertEquals(
        r.stderr.trim().split("\n").filter((l) => !l.includes("warning")).length,
        1,
        r.stderr,
      );
      match(r.stderr, new RegExp(`tsrun: linux.seccomp.listenerPath ${path}: .*connect`));
      assertEquals((await tsrun(["state", id])).code, 1, "no state left");
      assertNothingLeft({ path: b.dir, marker: id });
    } finally {
      await tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test({
  name: "seccomp notify: exec hands its own listener to the agent; no agent → exec fails",
  ignore,
}, async () => {
  const id = "sc-notify-exec";
  const b = await makeBundle({ args: ["sleep", "60"], config: writableTmp });
  const path = `${b.dir}/agent.sock`;
  b.config.linux.seccomp = notifyMkdir(path);
  b.writeConfig();
  const agent = listenAgent(path);
  try {
    const forInit = agent.next();
    const created = await tsrun(["create", "-b", b.dir, id]);
    assertEquals(created.code, 0, created.stderr);
    // Sent during create, or at start when the filter goes in right before the exec.
    assertEquals((await tsrun(["start", id])).code, 0);
    closeFd((await within(forInit, 20_000, "init's listener fd")).fd);

    const forExec = agent.next();
    const exec = tsrun(["exec", id, "sh", "-c", "mkdir /tmp/y; echo mkdir=$?"]);
    const { state, fd } = await within(forExec, 20_000, "exec's listener fd");
    try {
      await answerOne(fd, ENOTTY, 20_000);
    } finally {
      closeFd(fd);
    }
    const r = await exec;
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "mkdir=1\n");
    match(r.stderr, /mkdir: can't create directory '\/tmp\/y': (Not a tty|Inappropriate ioctl)/);
    const inner = state.state as Record<string, unknown>;
    assertEquals(inner.status, "running");
    assertEquals(inner.id, id);
    ok(typeof state.pid === "number" && state.pid > 0 && state.pid !== inner.pid, "exec's pid");

    agent.close();
    const refused = await tsrun(["exec", id, "true"]);
    assertEquals(refused.code, 255, "exec's own failure, as runc");
    match(refused.stderr, new RegExp(`linux.seccomp.listenerPath ${path}: connect .*ECONNREFUSED`));
    assertEquals(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  } finally {
    agent.close();
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
});
