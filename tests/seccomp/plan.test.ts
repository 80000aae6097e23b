// planSeccomp: a compiled filter installed by a spawn plan's child before it execs, the way
// `exec` puts a container's profile on a new process.
import { deepStrictEqual as assertEquals, match, rejects } from "node:assert/strict";
import { join } from "node:path";
import { compileSeccomp } from "../../process/seccomp/compile.ts";
import { planSeccomp } from "../../syscalls/seccomp.ts";
import { PR } from "../../syscalls/process.ts";
import { spawn, SpawnError, SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { findBusybox } from "../helpers/mod.ts";
import { recvWithFds } from "../../syscalls/fdpass.ts";
import { O_CLOEXEC, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd, initSocketPair } from "../../syscalls/socket.ts";

const DENY_MKDIR = compileSeccomp({
  defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO" }],
});

/** Runs `busybox mkdir dir` from a plan, with or without the filter; returns its exit code. */
async function mkdirIn(dir: string, filtered: boolean): Promise<number | undefined> {
  const plan = new SpawnPlan();
  try {
    // Unprivileged callers need no_new_privs for seccomp; it is harmless as root.
    plan.step("set no_new_privs", "prctl", [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0]);
    if (filtered) planSeccomp(plan, DENY_MKDIR.filter, DENY_MKDIR.flags);
    plan.execve(findBusybox(), ["mkdir", dir], []);
    const child = spawn(plan, {});
    await child.result();
    return (await child.wait()).code;
  } finally {
    plan.free();
  }
}

Deno.test("a plan's seccomp step filters the exec'd program", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "tsrun-seccomp-plan-" });
  try {
    assertEquals(await mkdirIn(join(tmp, "free"), false), 0);
    assertEquals(await mkdirIn(join(tmp, "denied"), true), 1);
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), ["free"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a filter that denies execve fails the plan at its exec step", async () => {
  const noExec = compileSeccomp({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{ names: ["execve"], action: "SCMP_ACT_ERRNO", errnoRet: 13 }],
  });
  const plan = new SpawnPlan();
  try {
    plan.step("set no_new_privs", "prctl", [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0]);
    planSeccomp(plan, noExec.filter, noExec.flags);
    plan.execve(findBusybox(), ["true"], [], "exec true");
    const child = spawn(plan, {});
    await rejects(child.result(), (e) => e instanceof SpawnError && /exec true/.test(e.message));
    await child.wait();
  } finally {
    plan.free();
  }
});

const NOTIFY_MOUNT = compileSeccomp({
  defaultAction: "SCMP_ACT_ALLOW",
  listenerPath: "/run/agent.sock",
  syscalls: [{ names: ["mount"], action: "SCMP_ACT_NOTIFY" }],
});

Deno.test("a notify filter needs a handoff in a plan", () => {
  const plan = new SpawnPlan();
  try {
    let message = "";
    try {
      planSeccomp(plan, NOTIFY_MOUNT.filter, NOTIFY_MOUNT.flags);
    } catch (e) {
      message = (e as Error).message;
    }
    assertEquals(
      message,
      "seccomp: a spawn plan needs a handoff for the listener fd (SCMP_ACT_NOTIFY)",
    );
  } finally {
    plan.free();
  }
});

/** The listener a plan's child handed over, or the SpawnError's message. */
async function handOver(slot: () => number): Promise<string> {
  const [mine, theirs] = initSocketPair();
  const plan = new SpawnPlan();
  let reserved: number | undefined;
  try {
    plan.step("set no_new_privs", "prctl", [PR.SET_NO_NEW_PRIVS, 1, 0, 0, 0]);
    reserved = slot();
    planSeccomp(plan, NOTIFY_MOUNT.filter, NOTIFY_MOUNT.flags, { slot: reserved, socket: theirs });
    plan.execve(findBusybox(), ["true"], [], "exec true");
    const child = spawn(plan, {});
    closeFd(reserved);
    reserved = undefined;
    try {
      await child.result();
    } catch (e) {
      await child.wait();
      return (e as Error).message;
    }
    assertEquals((await child.wait()).code, 0);
    const { fds } = recvWithFds(mine, new Uint8Array(1));
    assertEquals(fds.length, 1);
    const link = Deno.readLinkSync(`/proc/self/fd/${fds[0]}`);
    fds.forEach(closeFd);
    return link;
  } finally {
    if (reserved !== undefined) closeFd(reserved);
    plan.free();
    closeFd(mine);
    closeFd(theirs);
  }
}

Deno.test("a plan hands a notify filter's listener back through the slot it frees", async () => {
  const lowest = () => openFd("/dev/null", O_RDONLY | O_CLOEXEC);
  assertEquals(await handOver(lowest), "anon_inode:seccomp notify");
  // A slot that is not the lowest free fd at the clone (spawn's error pipe takes two of the three
  // freed below it): the listener lands lower and sending the slot fails, never a wrong fd.
  const gap = [lowest(), lowest(), lowest()];
  const notLowest = () => {
    const fd = lowest();
    gap.splice(0).forEach(closeFd);
    return fd;
  };
  match(await handOver(notLowest), /hand over the seccomp listener.*EBADF/);
});
