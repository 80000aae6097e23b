// What sealing the init's image costs each create (runtime/self-exec.ts), measured in-process:
// the detached read-only mounts tsrun uses, against the sealed memfd copy of the Deno binary it
// falls back to where mounts are not allowed (and which runc < 1.2 made for every container).
import { closeInitCommand, initCommand } from "../../runtime/self-exec.ts";
import { sealedMemfd } from "../../syscalls/seal.ts";
import { closeFd } from "../../syscalls/socket.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(runs: number, f: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    f();
    t.push(performance.now() - start);
  }
  return median(t);
}

export async function sealCost(runs: number): Promise<string> {
  closeInitCommand(await initCommand("X=1")); // builds the init bundle if stale: not the cost
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    closeInitCommand(await initCommand("X=1"));
    t.push(performance.now() - start);
  }
  const mounts = median(t);
  const exe = Deno.execPath();
  const memfd = time(3, () => closeFd(sealedMemfd(exe)));
  const mib = Deno.statSync(exe).size / 2 ** 20;
  return `init image sealing per create (from source, median): read-only mounts ` +
    `${mounts.toFixed(2)} ms (what tsrun does); a sealed memfd copy of the ${mib.toFixed(0)} MiB ` +
    `Deno binary ${memfd.toFixed(1)} ms and ${mib.toFixed(0)} MiB of memory per container ` +
    `(the fallback where mounts are not allowed)`;
}
