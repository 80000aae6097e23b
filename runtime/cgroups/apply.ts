// Carries out a list of control-file writes, with errors that name the config field.
import type { LinuxResources } from "../../specs/resources.ts";
import { CgroupError, errnoOf, exists, fieldError, readOptional, writeFile } from "./files.ts";
import type { HostView, Write } from "./types.ts";

/** A write with the directory it goes to. */
export type PlannedWrite = Write & { dir: string };

/** A HostView over the directories a controller's files live in. Before a directory exists
 * nothing is known about its files, so every file counts as present: validation then checks
 * controllers and values, and set() (after creation) meets the real files. */
export function dirView(dirOf: (controller: string) => string | undefined): HostView {
  const created = (c: string) => {
    const d = dirOf(c);
    return d !== undefined && exists(d) ? d : undefined;
  };
  return {
    has: (c, file) => {
      const d = created(c);
      return d === undefined ? dirOf(c) !== undefined : exists(`${d}/${file}`);
    },
    read: (c, file) => {
      const d = created(c);
      return d === undefined ? undefined : readOptional(`${d}/${file}`);
    },
  };
}

export function applyWrites(writes: PlannedWrite[]): void {
  const later: PlannedWrite[] = [];
  for (const w of writes) {
    try {
      writeFile(`${w.dir}/${w.file}`, w.value);
    } catch (e) {
      if (w.retryAfterRest && errnoOf(e) === "EINVAL") later.push(w);
      else throw explain(w, e);
    }
  }
  for (const w of later) {
    try {
      writeFile(`${w.dir}/${w.file}`, w.value);
    } catch (e) {
      throw explain(w, e);
    }
  }
}

function explain(w: PlannedWrite, e: unknown): Error {
  const code = errnoOf(e);
  let why = (e as Error).message;
  if (code === "ENOENT" && w.file.includes(".")) {
    why = `this kernel has no ${w.file}`;
  } else if (code === "EBUSY" && w.file === "memory.limit_in_bytes") {
    // v1 refuses a limit below what the cgroup already uses.
    const usage = readOptional(`${w.dir}/memory.usage_in_bytes`)?.trim();
    why = `the kernel refused it (current usage ${usage ?? "unknown"} bytes)`;
  }
  return fieldError(w.field, `cannot write "${w.value}" to ${w.file}: ${why}`);
}

/**
 * Why each section of `r` cannot be applied on this host, without throwing: what `plan` refuses
 * (a controller the host lacks...), and control files the kernel does not have, looked up in
 * the nearest existing directory of each write. The cgroup2 root (no cgroup.type) lacks most
 * files every other cgroup has: there a child cgroup that has the controller is asked instead.
 */
export function lacking(
  r: LinuxResources,
  plan: (part: LinuxResources) => PlannedWrite[],
): string[] {
  // One reason per field: the first file it misses.
  const out = new Map<string, string>();
  for (const [section, value] of Object.entries(r)) {
    try {
      for (const w of plan({ [section]: value })) {
        const dir = probeDir(w.dir, w.controller);
        if (dir !== undefined && !exists(`${dir}/${w.file}`) && !out.has(w.field)) {
          out.set(w.field, `linux.resources.${w.field}: this kernel has no ${w.file}`);
        }
      }
    } catch (e) {
      if (!(e instanceof CgroupError)) throw e;
      out.set(section, e.message);
    }
  }
  return [...out.values()];
}

/** An existing cgroup directory whose files show what `dir` would have, if there is one. */
function probeDir(dir: string, controller: string): string | undefined {
  while (!exists(dir) && dir.lastIndexOf("/") > 0) dir = dir.slice(0, dir.lastIndexOf("/"));
  if (!exists(`${dir}/cgroup.controllers`) || exists(`${dir}/cgroup.type`)) return dir;
  for (const e of Deno.readDirSync(dir)) {
    const child = `${dir}/${e.name}`;
    const controllers = e.isDirectory ? readOptional(`${child}/cgroup.controllers`) : undefined;
    if (controller === "cgroup" || controllers?.split(/\s+/).includes(controller)) return child;
  }
  return undefined;
}
