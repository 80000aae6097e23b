// Unix socket pairs for the parent ↔ init channel.
import { check, cstr, libc, setCloexec } from "./libc.ts";

const AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 0o2000000;

/** [parent end (O_CLOEXEC), child end (inherited across execve)]. */
export function initSocketPair(): [number, number] {
  const fds = new Int32Array(2);
  check(
    "socketpair",
    libc().socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, new Uint8Array(fds.buffer)),
  );
  setCloexec(fds[1], false, "init socket");
  return [fds[0], fds[1]];
}

export function closeFd(fd: number): void {
  libc().close(fd);
}

/** A fifo with exactly `mode` (the umask would strip it). */
export function mkfifo(path: string, mode: number): void {
  check("mkfifo", libc().mkfifo(cstr(path), mode), path);
  Deno.chmodSync(path, mode);
}
