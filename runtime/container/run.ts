// `run` in the foreground: the init is our child, so we forward signals to it, reap it, clean
// up like `delete`, and exit with its status (128+N for a signal), as runc does.
import type { Child } from "../../syscalls/spawn/mod.ts";
import { relayConsole } from "../console/relay.ts";

const FORWARDED: Deno.Signal[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGTERM",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
  "SIGCONT",
  "SIGALRM",
];

export async function waitForeground(child: Child, consoleMaster?: number): Promise<number> {
  const drain = consoleMaster === undefined ? undefined : relayConsole(consoleMaster);
  const listeners = FORWARDED.map((sig) => {
    const fn = () => {
      try {
        Deno.kill(child.pid, sig);
      } catch { /* already exited */ }
    };
    Deno.addSignalListener(sig, fn);
    return [sig, fn] as const;
  });
  try {
    const status = await child.wait();
    await drain?.();
    return status.signal !== undefined ? 128 + status.signal : status.code ?? 0;
  } finally {
    for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
  }
}
