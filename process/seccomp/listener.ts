// SCMP_ACT_NOTIFY: the listener fd goes to the agent at linux.seccomp.listenerPath, in one
// sendmsg whose data is the ContainerProcessState (runtime.md) naming it "seccompFd". For the
// init, `create` connects the socket before the init leaves the host's root and passes it down,
// and the init sends right after installing the filter; for `exec`, tsrun sends what the spawn
// child handed back.
import type { State } from "../../specs/schema/state.ts";
import { sendFds } from "../../syscalls/fdpass.ts";
import { libc } from "../../syscalls/libc.ts";

/** Where a listener fd goes, and what is said with it. */
export interface ListenerTarget {
  /** The socket connected to listenerPath (the init's is inherited from `create`). */
  socket: number;
  /** linux.seccomp.listenerMetadata, passed through as is. */
  metadata?: string;
  /** The OCI state of the container. */
  state: State;
  /** The process the filter is for (the init's, or an exec'd process's, host pid). */
  pid: number;
}

/** runtime.md's ContainerProcessState: fds names the SCM_RIGHTS fds, in order. */
function containerProcessState(target: ListenerTarget): string {
  return JSON.stringify({
    ociVersion: target.state.ociVersion,
    fds: ["seccompFd"],
    pid: target.pid,
    metadata: target.metadata ?? "",
    state: target.state,
  });
}

export function sendListener(target: ListenerTarget, listenerFd: number): void {
  try {
    sendFds(
      target.socket,
      new TextEncoder().encode(containerProcessState(target)),
      [listenerFd],
    );
  } catch (e) {
    throw new Error(`linux.seccomp.listenerPath: ${(e as Error).message}`);
  } finally {
    libc().close(listenerFd);
    libc().close(target.socket);
  }
}
