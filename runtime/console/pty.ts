// A pseudo-terminal from the devpts instance a container sees, so the peer is one of its own
// /dev/pts entries. Opened from the host through the init's /proc/<pid>/root, never following
// a symlink out of the container's root.
import { resolveInRoot } from "../../init/secure-path.ts";
import { openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { openPtyPeer, setWindowSize, unlockPty } from "../../syscalls/tty.ts";

const O_RDWR = 2, O_NOCTTY = 0o400, O_CLOEXEC = 0o2000000;

export interface Pty {
  /** The side the engine (console socket) or tsrun keeps. */
  master: number;
  /** The side the container process gets as its terminal. */
  peer: number;
}

/** Opens `root`/dev/ptmx; both fds are O_CLOEXEC and the caller closes them. */
export function openPty(root: string, size?: { height: number; width: number }): Pty {
  const master = openFd(resolveInRoot(root, "/dev/ptmx"), O_RDWR | O_NOCTTY | O_CLOEXEC);
  try {
    unlockPty(master);
    const peer = openPtyPeer(master);
    if (size) setWindowSize(peer, size.height, size.width);
    return { master, peer };
  } catch (e) {
    closeFd(master);
    throw e;
  }
}
