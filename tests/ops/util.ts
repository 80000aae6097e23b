// Small helpers the ops tests share: a container's status, pid, cgroup files, and waiting.
import { detect } from "../../runtime/cgroups/detect.ts";
import { parseProcCgroup } from "../../runtime/cgroups/path.ts";
import { stateRoot, tsrun } from "../helpers/mod.ts";

export { containerStatus as status, until } from "../helpers/mod.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function initPid(id: string): Promise<number> {
  const r = await tsrun(["state", id]);
  if (r.code !== 0) throw new Error(`state ${id}: ${r.stderr}`);
  return JSON.parse(r.stdout).pid;
}

/** A process that counts into /tmp/count (needs a writable rootfs): shows whether it runs. */
export const COUNTER = [
  "sh",
  "-c",
  "i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.02; done",
];

/** The number COUNTER last wrote, or -1 before the first. */
export function counter(rootfs: string): number {
  try {
    return Number(Deno.readTextFileSync(`${rootfs}/tmp/count`).trim() || -1);
  } catch {
    return -1;
  }
}

/** Whether `pid` is a live process (not gone, not a zombie). */
export function alive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}

/** The v1 cgroup directory of `pid` for `controller`, or undefined without that hierarchy. */
export function v1Dir(pid: number, controller: string): string | undefined {
  const h = detect().v1.find((h) => h.controllers.includes(controller));
  const path = parseProcCgroup(Deno.readTextFileSync(`/proc/${pid}/cgroup`)).get(controller);
  return h && path !== undefined ? `${h.mountpoint}${path}` : undefined;
}

/** Whether this host has v1 hierarchies for all of `controllers`. */
export function hasV1(...controllers: string[]): boolean {
  try {
    const v1 = detect().v1;
    return controllers.every((c) => v1.some((h) => h.controllers.includes(c)));
  } catch {
    return false;
  }
}

/** The container's stored state (tsrun's own state.json), to see what it keeps. */
// deno-lint-ignore no-explicit-any
export function storedState(id: string): Record<string, any> {
  return JSON.parse(Deno.readTextFileSync(`${stateRoot()}/${id}/state.json`));
}
