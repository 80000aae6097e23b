// `ps`: the container's processes are those in its cgroup. As JSON, their host pids; as a table,
// the host's `ps` output cut down to its header and the lines of those pids (as runc does).
import type { Store } from "../state/store.ts";
import { RuntimeError } from "../errors.ts";
import { loadContainer } from "./load.ts";

/** Host pids of every process in the container's cgroup (and its child cgroups). */
export function containerPids(store: Store, id: string): number[] {
  return loadContainer(store, id).cgroup().pids(true);
}

/** Runs the host's `ps ARGS`; keeps the header and the lines whose PID column is in `pids`. */
export async function psTable(pids: number[], args: string[]): Promise<string> {
  const what = ["ps", ...args].join(" ");
  const { hostProgram } = await import("../../process/look-path.ts");
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(hostProgram("ps"), { args, stdin: "null" }).output();
  } catch (e) {
    throw new RuntimeError(`${what}: ${(e as Error).message}`);
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new RuntimeError(`${what}: ${why || `exit status ${out.code}`}`);
  }
  const [header, ...lines] = text.split("\n");
  const column = header.trim().split(/\s+/).indexOf("PID");
  if (column < 0) throw new RuntimeError(`${what}: its output has no PID column`);
  const wanted = new Set(pids);
  const kept = lines.filter((l) => wanted.has(Number(l.trim().split(/\s+/)[column])));
  return [header, ...kept].map((l) => `${l}\n`).join("");
}
