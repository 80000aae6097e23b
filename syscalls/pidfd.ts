// pidfds: race-free signals to, and waits on, processes that are not our children.
import { check, errno, libc, sys } from "./libc.ts";
import { EINTR } from "./errno.ts";
import { syscallNr } from "./nr.ts";

export function pidfdOpen(pid: number): number {
  return Number(sys("pidfd_open", syscallNr("pidfd_open"), [pid, 0], `pid ${pid}`));
}

export function pidfdSendSignal(pidfd: number, signal: number, pid: number): void {
  sys("pidfd_send_signal", syscallNr("pidfd_send_signal"), [pidfd, signal, 0, 0], `pid ${pid}`);
}

export const POLLIN = 1;

/** poll(2) on fds for POLLIN; returns the indexes that are ready (empty on timeout). */
export function pollIn(fds: readonly number[], timeoutMs: number): number[] {
  const buf = new Uint8Array(8 * fds.length);
  const v = new DataView(buf.buffer);
  fds.forEach((fd, i) => {
    v.setInt32(8 * i, fd, true);
    v.setInt16(8 * i + 4, POLLIN, true);
  });
  for (;;) {
    const n = libc().poll(buf, BigInt(fds.length), timeoutMs);
    if (n < 0) {
      if (errno() === EINTR) continue;
      check("poll", n);
    }
    return fds.map((_, i) => i).filter((i) => v.getInt16(8 * i + 6, true) !== 0);
  }
}
