// A pseudo-terminal from the devpts instance a running container sees, so the slave is one of
// its own /dev/pts entries: opened from the host through the init's /proc/<pid>/root, never
// following a symlink out of the container's root.
import { resolveInRoot } from "../../process/secure-path.ts";
import { openPty, type Pty, setWinsize } from "../../syscalls/tty.ts";

export type { Pty };

export function openPtyIn(root: string, size?: { height: number; width: number }): Pty {
  const pty = openPty(resolveInRoot(root, "/dev/ptmx"));
  if (size) setWinsize(pty.slave, size.height, size.width);
  return pty;
}
