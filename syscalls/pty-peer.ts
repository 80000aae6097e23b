// A pty master's peer without a path lookup: TIOCGPTPEER opens the slave straight from the
// master, so nothing in a container's /dev/pts can redirect the open (see ioctl_tty(2)).
import { check, libc, sys } from "./libc.ts";
import { syscallNr } from "./nr.ts";

const TIOCSPTLCK = 0x40045431n, TIOCGPTN = 0x80045430n, TIOCGPTPEER = 0x5441;
const O_RDWR = 2, O_NOCTTY = 0o400, O_CLOEXEC = 0o2000000;

/** unlockpt(3): a new master's peer cannot be opened until it is unlocked. */
export function unlockPty(master: number): void {
  check("ioctl", libc().ioctl(master, TIOCSPTLCK, new Uint8Array(4)), "TIOCSPTLCK");
}

/** The number N of the peer's /dev/pts/N in its devpts instance. */
export function ptyNumber(master: number): number {
  const n = new Int32Array(1);
  check("ioctl", libc().ioctl(master, TIOCGPTN, new Uint8Array(n.buffer)), "TIOCGPTN");
  return n[0];
}

/** The peer of `master`, O_RDWR|O_NOCTTY|O_CLOEXEC. */
export function openPtyPeer(master: number): number {
  const flags = O_RDWR | O_NOCTTY | O_CLOEXEC;
  return Number(sys("ioctl", syscallNr("ioctl"), [master, TIOCGPTPEER, flags], "TIOCGPTPEER"));
}

/** ioctl number that makes a tty the caller's controlling terminal (a spawn plan step). */
export const TIOCSCTTY = 0x540e;
