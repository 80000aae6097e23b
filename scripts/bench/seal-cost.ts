// What sealing the init's image costs each create (runtime/self-exec.ts), measured in-process:
// the detached read-only mounts tsrun uses, against the sealed memfd copy of the Deno binary it
// falls back to where mounts are not allowed (and which runc < 1.2 made for every container).
import { closeInitCommand, initCommand } from "../../runtime/self-exec.ts";
import { sealedMemfd } from "../../syscalls/seal.ts";
import { closeFd } from "../../syscalls/socket.ts";
import { median } from "./scenarios.ts";

/** Median milliseconds of `runs` calls of `f`. */
async function time(runs: number, f: () => unknown): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await f();
    t.push(performance.now() - start);
  }
  return median(t);
}

export async function sealCost(runs: number): Promise<string> {
  closeInitCommand(await initCommand("X=1")); // builds the init bundle if stale: not the cost
  const mounts = await time(runs, async () => closeInitCommand(await initCommand("X=1")));
  const exe = Deno.execPath();
  const memfd = await time(3, () => closeFd(sealedMemfd(exe)));
  const mib = Deno.statSync(exe).size / 2 ** 20;
  return `init image sealing per create (from source, median): read-only mounts ` +
    `${mounts.toFixed(2)} ms (what tsrun does); a sealed memfd copy of the ${mib.toFixed(0)} MiB ` +
    `Deno binary ${memfd.toFixed(1)} ms and ${mib.toFixed(0)} MiB of memory per container ` +
    `(the fallback where mounts are not allowed)`;
}
