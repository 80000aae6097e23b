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

/**
 * Catches the signals to forward from before the container exists: one arriving while it is
 * being created must neither kill us (leaving the container behind) nor get lost.
 */
export class SignalForwarder {
  #pid: number | undefined;
  #pending: Deno.Signal[] = [];
  #listeners = FORWARDED.map((sig) => {
    const fn = () => {
      if (this.#pid === undefined) this.#pending.push(sig);
      else this.#send(sig);
    };
    Deno.addSignalListener(sig, fn);
    return [sig, fn] as const;
  });

  #send(sig: Deno.Signal): void {
    try {
      Deno.kill(this.#pid!, sig);
    } catch { /* already exited */ }
  }

  attach(pid: number): void {
    this.#pid = pid;
    for (const sig of this.#pending.splice(0)) this.#send(sig);
  }

  /** Idempotent: runContainer stops it again after waitForeground did. */
  stop(): void {
    for (const [sig, fn] of this.#listeners.splice(0)) Deno.removeSignalListener(sig, fn);
  }
}

export async function waitForeground(
  child: Child,
  signals: SignalForwarder,
  consoleMaster?: number,
): Promise<number> {
  const drain = consoleMaster === undefined ? undefined : relayConsole(consoleMaster);
  signals.attach(child.pid);
  try {
    const status = await child.wait();
    await drain?.();
    return status.signal !== undefined ? 128 + status.signal : status.code ?? 0;
  } finally {
    signals.stop();
  }
}
