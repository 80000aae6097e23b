// Handing a pty master to the engine: connect to its --console-socket and send the fd in one
// message (engine-contract §1.4: one SCM_RIGHTS fd, a short name as the data).
import { connectUnix, sendFds } from "../../syscalls/fdpass.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { RuntimeError } from "../errors.ts";

export function sendToConsoleSocket(path: string, master: number, name: string): void {
  let sock: number;
  try {
    sock = connectUnix(path);
  } catch (e) {
    throw new RuntimeError(`--console-socket ${path}: ${(e as Error).message}`);
  }
  try {
    sendFds(sock, new TextEncoder().encode(name), [master]);
  } finally {
    closeFd(sock);
  }
}
