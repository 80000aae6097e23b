// Pseudo-terminals: allocate from a given ptmx, size, make controlling, raw mode.
import { check, libc, O_CLOEXEC, O_NOCTTY, O_RDWR, openFd, sys } from "./libc.ts";
import { syscallNr } from "./nr.ts";

// The generic tty ioctls (asm-generic/ioctls.h), the same on x86-64 and aarch64.
export const TIOCSPTLCK = 0x40045431n, TIOCGPTN = 0x80045430n, TIOCGPTPEER = 0x5441;
export const TIOCSWINSZ = 0x5414n;

/** ioctl number that makes a tty the caller's controlling terminal (also a spawn plan step). */
export const TIOCSCTTY = 0x540e;

export interface Pty {
  /** The side the engine (console socket) or tsrun keeps. */
  master: number;
  /** The side the container process gets as its terminal. */
  slave: number;
  /** The slave's path inside the devpts it came from, e.g. /dev/pts/0. */
  name: string;
}

/**
 * A new pty from `ptmx` (a devpts instance's, e.g. the container's). The slave is opened from
 * the master itself (TIOCGPTPEER), so nothing in that /dev/pts can redirect the open. Both fds
 * are O_CLOEXEC; the caller closes them.
 */
export function openPty(ptmx: string): Pty {
  const master = openFd(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
  try {
    // unlockpt(3): a new master's peer cannot be opened until it is unlocked.
    check("ioctl", libc().ioctl(master, TIOCSPTLCK, new Uint8Array(4)), "TIOCSPTLCK");
    const flags = O_RDWR | O_NOCTTY | O_CLOEXEC;
    const slave = Number(
      sys("ioctl", syscallNr("ioctl"), [master, TIOCGPTPEER, flags], "TIOCGPTPEER"),
    );
    const n = new Int32Array(1);
    check("ioctl", libc().ioctl(master, TIOCGPTN, new Uint8Array(n.buffer)), "TIOCGPTN");
    return { master, slave, name: `/dev/pts/${n[0]}` };
  } catch (e) {
    libc().close(master);
    throw e;
  }
}

export function setWinsize(fd: number, rows: number, cols: number): void {
  const ws = new Uint16Array([rows, cols, 0, 0]);
  check("ioctl", libc().ioctl(fd, TIOCSWINSZ, new Uint8Array(ws.buffer)), "TIOCSWINSZ");
}

/** New session, `fd` as its controlling terminal. */
export function makeControlling(fd: number): void {
  check("setsid", libc().setsid());
  check("ioctl", libc().ioctl(fd, BigInt(TIOCSCTTY), null), "TIOCSCTTY");
}

/** Puts a terminal in raw mode; returns a function restoring the previous settings. */
export function rawMode(fd: number): () => void {
  const saved = new Uint8Array(64);
  check("tcgetattr", libc().tcgetattr(fd, saved));
  const raw = saved.slice();
  libc().cfmakeraw(raw);
  check("tcsetattr", libc().tcsetattr(fd, 0, raw));
  return () => void libc().tcsetattr(fd, 0, saved);
}

export function isTty(fd: number): boolean {
  return libc().isatty(fd) === 1;
}
