// SCMP_ACT_NOTIFY for an exec'd process: the spawn child installs the filter and sends the
// listener fd back over a socket pair (syscalls/seccomp.ts ListenerHandoff); tsrun passes it on
// to the agent with the ContainerProcessState. The agent is connected before the spawn, so a
// missing one fails `exec` before any process exists.
import type { State } from "../../specs/schema/state.ts";
import { type ListenerTarget, sendListener } from "../../process/seccomp/listener.ts";
import { connectUnix, recvWithFds } from "../../syscalls/fdpass.ts";
import { O_CLOEXEC, O_RDONLY, openFd, setCloexec } from "../../syscalls/libc.ts";
import type { ListenerHandoff } from "../../syscalls/seccomp.ts";
import { closeFd, initSocketPair } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";

export class ExecListener {
  #agent: number;
  #mine: number;
  #theirs: number;
  #slot: number | undefined;

  constructor(path: string) {
    try {
      this.#agent = connectUnix(path);
    } catch (e) {
      throw new RuntimeError(`linux.seccomp.listenerPath ${path}: ${(e as Error).message}`);
    }
    [this.#mine, this.#theirs] = initSocketPair();
    // The child's end must not outlive its execve.
    setCloexec(this.#theirs, true, "listener socket");
  }

  /**
   * Holds the lowest free fd for the child to free for its listener: call it right before the
   * clone, after every other fd the spawn needs is open.
   */
  reserve(): ListenerHandoff {
    this.#slot = openFd("/dev/null", O_RDONLY | O_CLOEXEC);
    return { slot: this.#slot, socket: this.#theirs };
  }

  /** Once the clone is done: the parent's copy of the slot is not needed. */
  release(): void {
    if (this.#slot !== undefined) closeFd(this.#slot);
    this.#slot = undefined;
  }

  /** After the child's execve: takes the listener it sent and gives it to the agent. */
  deliver(state: State, pid: number, metadata: string | undefined): void {
    const { fds } = recvWithFds(this.#mine, new Uint8Array(1));
    if (fds.length !== 1) {
      fds.forEach(closeFd);
      throw new RuntimeError("seccomp: the exec'd process sent no listener fd");
    }
    const target: ListenerTarget = { socket: this.#agent, state, pid, metadata };
    this.#agent = -1;
    try {
      sendListener(target, fds[0]);
    } catch (e) {
      throw new RuntimeError((e as Error).message);
    }
  }

  close(): void {
    this.release();
    for (const fd of [this.#agent, this.#mine, this.#theirs]) if (fd >= 0) closeFd(fd);
  }
}
