// The one namespace exec joins on tsrun's own thread: pid_for_children moves for the clone,
// for this thread only, and comes back.
import { deepStrictEqual as assertEquals, notEqual, ok } from "node:assert/strict";
import { requireRoot } from "../helpers/mod.ts";
import { withPidNamespaceForChildren } from "../../syscalls/setns.ts";
import { O_CLOEXEC, O_RDONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { spawn, SpawnPlan } from "../../syscalls/spawn/mod.ts";
import { runningContainer, statusField } from "./util.ts";

const ignore = requireRoot("setns");

const forChildren = (task: string) => Deno.readLinkSync(`${task}/ns/pid_for_children`);

Deno.test({ name: "pid_for_children moves for one thread and comes back", ignore }, async () => {
  const c = await runningContainer("exec-pidns");
  const fd = openFd(`/proc/${c.pid}/ns/pid`, O_RDONLY | O_CLOEXEC);
  const plan = new SpawnPlan();
  plan.execve("/bin/true", ["true"], []);
  try {
    const ours = forChildren("/proc/thread-self");
    const theirs = Deno.readLinkSync(`/proc/${c.pid}/ns/pid`);
    notEqual(ours, theirs);
    // This thread's id: under `deno test`, JS runs on a runtime thread, not the main one.
    const me = Deno.readLinkSync("/proc/thread-self").split("/").pop();
    const others = () =>
      [...Deno.readDirSync("/proc/self/task")].map((t) => t.name).filter((tid) => tid !== me)
        .map((tid) => forChildren(`/proc/self/task/${tid}`));
    ok(others().length > 0, "Deno runs more threads than this one");
    const child = withPidNamespaceForChildren(fd, () => {
      assertEquals(forChildren("/proc/thread-self"), theirs);
      assertEquals(new Set(others()), new Set([ours]), "the other threads stay");
      return spawn(plan, { vfork: true });
    });
    assertEquals(forChildren("/proc/thread-self"), ours);
    // The child got a pid in the container's namespace (NSpid: host pid, then its own).
    const nspid = statusField(Deno.readTextFileSync(`/proc/${child.pid}/status`), "NSpid");
    assertEquals(nspid?.split(" ").length, 2, `NSpid ${nspid}`);
    child.resultSync();
    assertEquals(child.waitSync(), { code: 0 });
  } finally {
    plan.free();
    closeFd(fd);
    await c.remove();
  }
});
