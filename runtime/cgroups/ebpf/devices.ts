// Installs a device filter on a cgroup v2 directory, replacing the one tsrun put there before.
import { closeFd, openDir } from "../files.ts";
import type { NormalRule } from "../devices.ts";
import {
  attachDeviceProgram,
  detachDeviceProgram,
  loadDeviceProgram,
  programFdById,
  queryDevicePrograms,
} from "./bpf.ts";
import { compileDeviceProgram } from "./program.ts";

export function setDeviceFilter(dir: string, rules: readonly NormalRule[]): void {
  const cgroup = openDir(dir);
  try {
    const previous = queryDevicePrograms(cgroup);
    const prog = loadDeviceProgram(compileDeviceProgram(rules));
    try {
      attachDeviceProgram(cgroup, prog);
    } finally {
      closeFd(prog);
    }
    // The new filter is active; only now drop the old ones (both apply while both exist).
    for (const id of previous) {
      const fd = programFdById(id);
      try {
        detachDeviceProgram(cgroup, fd);
      } finally {
        closeFd(fd);
      }
    }
  } finally {
    closeFd(cgroup);
  }
}
