// A user namespace's id mappings as the kernel's uid_map/gid_map take them: written by create
// for the container's namespace and by the init for an idmapped mount's.

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** The kernel's uid_map/gid_map text: a line per range. */
export function idMapText(maps: readonly IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join("");
}
