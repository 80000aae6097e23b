// uidMappings/gidMappings (config-linux.md#user-namespace-mappings): what the kernel accepts in
// uid_map and gid_map (user_namespaces(7)).
import { error, type Problem } from "../problem.ts";
import type { IDMapping } from "../schema/mount.ts";

/** The kernel's limit on lines in uid_map / gid_map. */
const MAX_LINES = 340;

/** `at` is the JSON pointer of the mapping array. */
export function checkIdMappings(maps: readonly IDMapping[] | undefined, at: string): Problem[] {
  if (!maps) return [];
  const out: Problem[] = [];
  if (maps.length > MAX_LINES) {
    return [error(at, `${maps.length} mappings, the kernel accepts at most ${MAX_LINES}`)];
  }
  maps.forEach((m, i) => {
    if (m.size === 0) out.push(error(`${at}/${i}/size`, "must be at least 1"));
    for (const k of ["containerID", "hostID"] as const) {
      if (m[k] + m.size > 2 ** 32 - 1) {
        out.push(error(`${at}/${i}/size`, `${k} + size runs past the last ID 4294967294`));
      }
    }
    for (let j = 0; j < i; j++) {
      const o = maps[j];
      for (const k of ["containerID", "hostID"] as const) {
        if (m[k] < o[k] + o.size && o[k] < m[k] + m.size) {
          out.push(error(`${at}/${i}/${k}`, `range overlaps mapping ${j}`));
        }
      }
    }
  });
  return out;
}
