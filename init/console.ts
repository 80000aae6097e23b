// process.terminal: a pty from the container's own devpts. Its master goes to the engine's
// console socket (one sendmsg, one SCM_RIGHTS fd, the pty name as data) or, for a foreground
// `run`, back to the parent over the init channel; the slave becomes the process's stdio and
// controlling terminal just before exec.
import type { InitRequest } from "./protocol.ts";
import type { Channel } from "./channel.ts";
import { makeControlling, openPty, setWinsize } from "../syscalls/tty.ts";
import { sendFds } from "../syscalls/fdpass.ts";
import { check, libc } from "../syscalls/libc.ts";

export interface Console {
  /** Makes the slave the controlling terminal and fds 0-2. */
  attach(): void;
}

export function setupConsole(req: InitRequest, channel: Channel): Console | undefined {
  const proc = req.config.process;
  if (!proc?.terminal) return undefined;
  const pty = openPty("/dev/pts/ptmx");
  if (proc.consoleSize) setWinsize(pty.master, proc.consoleSize.height, proc.consoleSize.width);
  const uid = proc.user?.uid ?? 0, gid = proc.user?.gid ?? 0;
  check("fchown", libc().fchown(pty.slave, uid, gid), pty.name);
  if (req.consoleSocket !== undefined) {
    sendFds(req.consoleSocket, new TextEncoder().encode(pty.name), [pty.master]);
    libc().close(req.consoleSocket);
  } else {
    channel.sendWithFd({ type: "console" }, pty.master);
  }
  libc().close(pty.master);
  return {
    attach() {
      makeControlling(pty.slave);
      for (const fd of [0, 1, 2]) check("dup3", libc().dup3(pty.slave, fd, 0), pty.name);
      libc().close(pty.slave);
    },
  };
}
