// planSeccomp: a compiled filter installed by a spawn plan's child before it execs, the way
// `exec` puts a container's profile on a new process.
import { deepStrictEqual as assertEquals, rejects } from "node:assert/strict";
import { join } from "node:path";
import { compileSeccomp } from "../../init/seccomp/compile.ts";
import { planSeccomp } from "../../syscalls/seccomp.ts";
import { PR } from "../../syscalls/process.ts";
import { spawn, SpawnError, SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { findBusybox } from "../helpers/mod.ts";

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

Deno.test("a plan cannot take a notify listener", () => {
  const notify = compileSeccomp({
    defaultAction: "SCMP_ACT_ALLOW",
    listenerPath: "/run/agent.sock",
    syscalls: [{ names: ["mount"], action: "SCMP_ACT_NOTIFY" }],
  });
  const plan = new SpawnPlan();
  try {
    let message = "";
    try {
      planSeccomp(plan, notify.filter, notify.flags);
    } catch (e) {
      message = (e as Error).message;
    }
    assertEquals(message, "seccomp: a spawn plan cannot hand back a listener fd (SCMP_ACT_NOTIFY)");
  } finally {
    plan.free();
  }
});
