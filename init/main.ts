// The container's init: started by the parent inside the new namespaces, it reads its request
// from the inherited socket, prepares the rootfs and the process, reports "ready", waits on the
// exec fifo for `start`, then execs the user process. It loads no zod and no CLI code.
import { Channel } from "./channel.ts";
import { type FromInit, INIT_PIPE_ENV, type ToInit } from "./protocol.ts";
import { planRootfs } from "./plan.ts";
import { type RootfsContext, setupRootfs } from "./rootfs.ts";
import { runHooks } from "../process/hooks.ts";
import { setupConsole } from "./console.ts";
import { joinSessionKeyring } from "./keyring.ts";
import { holdExecFifo, prepareProcess, waitForStart } from "./process.ts";
import { checkLsm } from "../process/lsm.ts";
import { allMarks, enableTrace, mark, tracing } from "../process/trace.ts";
import { check, libc, setCloexec } from "../syscalls/libc.ts";
import { PR, prctl, setNonDumpable } from "../syscalls/process.ts";
import { CLONE_NEWCGROUP } from "../syscalls/spawn/flags.ts";

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function initMain(): Promise<never> {
  // execve made this process dumpable again: until it executes the container's program, no
  // process of the container may open its /proc/PID/{exe,fd,mem} (only the short Deno start
  // came before this line, and the executable is sealed read-only anyway).
  setNonDumpable();
  const fd = Number(Deno.env.get(INIT_PIPE_ENV) ?? NaN);
  if (!Number.isInteger(fd)) {
    Deno.stderr.writeSync(new TextEncoder().encode("tsrun: init is started by create and run\n"));
    Deno.exit(1);
  }
  setCloexec(fd, true, "init channel");
  const channel = new Channel(fd);
  const send = (m: FromInit) => channel.send(m);
  const req = channel.receive<ToInit>();
  if (req?.type !== "config") Deno.exit(1);
  if (req.trace) {
    enableTrace();
    mark("init: Deno started", Math.round(performance.timeOrigin));
    mark("init: request received");
  }
  try {
    // In its cgroup now (its spawn child joined it, or the parent had systemd adopt it before
    // sending this): a killed parent no longer needs to take it along, `delete --force` finds it.
    prctl(PR.SET_PDEATHSIG, 0);
    if (req.newCgroupns) {
      check("unshare", libc().unshare(Number(CLONE_NEWCGROUP)), "cgroup namespace");
    }
    libc().umask(0);
    checkLsm(req.config);
    // The exec fifo came with the request, as an O_PATH fd of a host file.
    const fifo = req.fifo ? holdExecFifo(channel.fds.shift()!) : undefined;
    const state = { ...req.state, status: "creating" };
    const nsTypes = new Set((req.config.linux?.namespaces ?? []).map((n) => n.type));
    const hooks = req.config.hooks ?? {};
    const ctx: RootfsContext = {
      rootfs: req.rootfs,
      userns: req.newUserns,
      cgroupns: nsTypes.has("cgroup"),
      runHooks(phase) {
        if (!hooks[phase]?.length) return;
        // createContainer hooks run here, in the container's namespaces; the others in the
        // runtime's namespaces, so the parent runs them while init waits. Like runc's, hooks
        // init runs see the process's env when they set none.
        if (phase === "createContainer") {
          return runHooks(hooks[phase], state, phase, req.config.process?.env);
        }
        send({ type: "hooks", phase });
        const reply = channel.receive<ToInit>();
        if (reply?.type !== "continue") {
          throw new Error(reply?.type === "abort" ? reply.message : "parent went away");
        }
      },
    };
    const plan = planRootfs(req.config, { noPivot: req.noPivot, bundle: req.bundle });
    await setupRootfs(plan, ctx);
    mark("init: rootfs ready");
    if (!req.noNewKeyring) joinSessionKeyring(`_ses.${req.id}`);
    // As root, before the user's credentials: the pty comes from the container's devpts.
    const tty = setupConsole(req, channel);
    const exec = prepareProcess(req);
    mark("init: process prepared");
    send({ type: "ready", marks: tracing() ? allMarks() : undefined });
    // The parent applies the resource limits now, records the container, then lets us go on;
    // EOF means it was killed, and `delete --force` cleans up after us.
    const go = channel.receive<ToInit>();
    if (go?.type !== "continue") Deno.exit(1);
    // Without a fifo the channel stays open (close-on-exec) until the exec, to carry its error:
    // see create.ts.
    let startFd: number | undefined;
    if (fifo) {
      channel.close();
      startFd = waitForStart(fifo);
    }
    await runHooks(
      req.config.hooks?.startContainer,
      { ...state, status: "created" },
      "startContainer",
      req.config.process?.env,
    );
    tty?.attach();
    // `start` returns at this EOF (see waitForStart).
    if (startFd !== undefined) libc().close(startFd);
    return exec();
  } catch (err) {
    try {
      send({ type: "error", message: describe(err) });
    } catch {
      // After "ready" the parent is gone (create returned): the container's stderr is the only
      // place left to say why the process never started.
      Deno.stderr.writeSync(new TextEncoder().encode(`tsrun: ${describe(err)}\n`));
    }
    Deno.exit(1);
  }
}
