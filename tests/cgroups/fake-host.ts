// Test doubles for the cgroup layer: a HostView with chosen files, and temporary directory
// trees laid out like cgroupfs (the "kernel's" control files are created by the test).
import type { HostView, Write } from "../../runtime/cgroups/types.ts";

/** A host whose cgroup has exactly `files` (any controller), with `values` readable. */
export function hostWith(files: string[] = [], values: Record<string, string> = {}): HostView {
  return {
    has: (_c, f) => files.includes(f) || f in values,
    read: (_c, f) => values[f],
  };
}

/** Writes as "file=value" strings, the easiest form to compare in order. */
export function flat(writes: Write[]): string[] {
  return writes.map((w) => `${w.file}=${w.value}`);
}

/** Creates `dir` with each named control file holding its value. */
export function fakeCgroup(dir: string, files: Record<string, string>): void {
  Deno.mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(files)) {
    Deno.writeTextFileSync(`${dir}/${name}`, value);
  }
}

/** Deletes the plain files in `dir` — on cgroupfs they vanish with rmdir; here they would
 * keep it from being removed. */
export function dropFiles(dir: string): void {
  for (const e of Deno.readDirSync(dir)) {
    if (e.isFile) Deno.removeSync(`${dir}/${e.name}`);
  }
}

export function read(path: string): string {
  return Deno.readTextFileSync(path);
}

/** A /proc/self stand-in: mountinfo with no cgroup mounts (so the tree is read by its names)
 * and the given /proc/self/cgroup text. */
export function fakeProc(cgroup: string): string {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-proc-" });
  Deno.writeTextFileSync(`${dir}/mountinfo`, "22 1 0:21 / / rw - ext4 /dev/root rw\n");
  Deno.writeTextFileSync(`${dir}/cgroup`, cgroup);
  return dir;
}
