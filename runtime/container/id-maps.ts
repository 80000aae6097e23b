// The maps of a new user namespace, written from the parent while the child waits for its
// go-ahead (create.ts). As runc: root writes them itself; a rootless caller writes itself only
// what the kernel lets it (its own uid; its own gid once setgroups(2) is denied) and has the
// setuid helpers newuidmap/newgidmap (the uidmap package) write anything wider, which they allow
// within the caller's subordinate ids (/etc/subuid, /etc/subgid).
import type { Config } from "../../specs/schema/config.ts";
import { RuntimeError } from "../errors.ts";
import { type IdMapping as IdMap, idMapText } from "../../process/id-map.ts";

export async function writeIdMaps(pid: number, config: Config): Promise<void> {
  const root = Deno.uid() === 0;
  const uids = config.linux?.uidMappings ?? [];
  const gids = config.linux?.gidMappings ?? [];
  const ownGid = onlyOwn(gids, Deno.gid()!);
  // Denied only for a map of the caller's own gid: with a range from newgidmap, the container's
  // root keeps setgroups(2), as under runc (the helper itself denies it where it must).
  if (!root && ownGid) writeProc(pid, "setgroups", "deny", "linux.gidMappings");
  const kinds = [
    { kind: "uid", maps: uids, own: onlyOwn(uids, Deno.uid()!) },
    { kind: "gid", maps: gids, own: ownGid },
  ];
  for (const { kind, maps, own } of kinds) {
    const field = `linux.${kind}Mappings`;
    if (root || own) writeProc(pid, `${kind}_map`, idMapText(maps), field);
    else await viaHelper(`new${kind}map`, pid, maps, field);
  }
}

/** A single id, the caller's own: what a process may map without privilege. */
function onlyOwn(maps: readonly IdMap[], id: number): boolean {
  return maps.length === 1 && maps[0].size === 1 && maps[0].hostID === id;
}

function writeProc(pid: number, file: string, text: string, field: string): void {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/${file}`, text);
  } catch (e) {
    const why = (e as Error).message.replace(/ \(os error.*$/, "");
    const hint = Deno.uid() === 0 ? "" : " (a rootless container needs a new pid namespace)";
    throw new RuntimeError(`${field}: cannot write /proc/${pid}/${file}: ${why}${hint}`);
  }
}

/** newuidmap/newgidmap PID, then each range's three numbers; its own error on one line. */
async function viaHelper(
  helper: string,
  pid: number,
  maps: readonly IdMap[],
  field: string,
): Promise<void> {
  const { hostProgram } = await import("../../process/look-path.ts");
  let path: string;
  try {
    path = hostProgram(helper);
  } catch {
    throw new RuntimeError(
      `${field}: mapping more than the caller's own id needs ${helper} (the uidmap package), ` +
        "not found",
    );
  }
  const args = [String(pid), ...maps.flatMap((m) => [m.containerID, m.hostID, m.size].map(String))];
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(path, { args, clearEnv: true, stdin: "null" }).output();
  } catch (e) {
    throw new RuntimeError(`${field}: ${path}: ${(e as Error).message}`);
  }
  if (!out.success) {
    const said = new TextDecoder().decode(out.stderr).trim().split("\n").join("; ");
    const ids = helper === "newuidmap" ? "/etc/subuid" : "/etc/subgid";
    const why = said || `${helper} failed with exit code ${out.code}`;
    throw new RuntimeError(`${field}: ${why} (the caller's subordinate ids are in ${ids})`);
  }
}
