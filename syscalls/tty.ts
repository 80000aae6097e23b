// Pseudo-terminals: allocate in a given devpts, size, make controlling, raw mode.
import { check, cstr, libc, O_CLOEXEC } from "./libc.ts";

const O_RDWR = 2, O_NOCTTY = 0o400;
const TIOCSPTLCK = 0x40045431n, TIOCGPTN = 0x80045430n, TIOCSWINSZ = 0x5414n, TIOCSCTTY = 0x540en;

export interface Pty {
  master: number;
  slave: number;
  /** The slave's path inside the devpts it came from, e.g. /dev/pts/0. */
  name: string;
}

/** A new pty from `<pts>/ptmx` (a devpts instance, e.g. the container's /dev/pts). */
export function openPty(pts: string): Pty {
  const master = check(
    "open",
    libc().open(cstr(`${pts}/ptmx`), O_RDWR | O_NOCTTY | O_CLOEXEC, 0),
    `${pts}/ptmx`,
  );
  const zero = new Int32Array(1);
  check("ioctl", libc().ioctl(master, TIOCSPTLCK, new Uint8Array(zero.buffer)), "TIOCSPTLCK");
  const index = new Int32Array(1);
  check("ioctl", libc().ioctl(master, TIOCGPTN, new Uint8Array(index.buffer)), "TIOCGPTN");
  const path = `${pts}/${index[0]}`;
  const slave = check("open", libc().open(cstr(path), O_RDWR | O_NOCTTY | O_CLOEXEC, 0), path);
  return { master, slave, name: `/dev/pts/${index[0]}` };
}

export function setWinsize(fd: number, rows: number, cols: number): void {
  const ws = new Uint16Array([rows, cols, 0, 0]);
  check("ioctl", libc().ioctl(fd, TIOCSWINSZ, new Uint8Array(ws.buffer)), "TIOCSWINSZ");
}

/** New session, `fd` as its controlling terminal. */
export function makeControlling(fd: number): void {
  check("setsid", libc().setsid());
  check("ioctl", libc().ioctl(fd, TIOCSCTTY, null), "TIOCSCTTY");
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
