// A pseudo-terminal from the devpts instance a running container sees, so the peer is one of
// its own /dev/pts entries. Opened from the host through the init's /proc/<pid>/root, never
// following a symlink out of the container's root; the peer comes from the master itself.
import { resolveInRoot } from "../../init/secure-path.ts";
import { O_CLOEXEC, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { setWinsize } from "../../syscalls/tty.ts";
import { openPtyPeer, ptyNumber, unlockPty } from "../../syscalls/pty-peer.ts";

const O_RDWR = 2, O_NOCTTY = 0o400;

export interface Pty {
  /** The side the engine (console socket) or tsrun keeps. */
  master: number;
  /** The side the container process gets as its terminal. */
  peer: number;
  /** The peer's path in the container, e.g. /dev/pts/3. */
  name: string;
}

/** Opens `root`/dev/ptmx; both fds are O_CLOEXEC and the caller closes them. */
export function openPtyIn(root: string, size?: { height: number; width: number }): Pty {
  const master = openFd(resolveInRoot(root, "/dev/ptmx"), O_RDWR | O_NOCTTY | O_CLOEXEC);
  try {
    unlockPty(master);
    const peer = openPtyPeer(master);
    if (size) setWinsize(peer, size.height, size.width);
    return { master, peer, name: `/dev/pts/${ptyNumber(master)}` };
  } catch (e) {
    closeFd(master);
    throw e;
  }
}
