// ID-mapped bind mounts (mount options idmap/ridmap, mounts[].uidMappings/gidMappings): a detached
// copy of the source (open_tree), given a user namespace's mapping (mount_setattr with
// MOUNT_ATTR_IDMAP), then moved onto the target. The namespace is made here with the mount's
// mappings, by a short-lived child that only waits to be told to exit.
import { check, libc, O_CLOEXEC, O_RDONLY, openFd, pipe } from "../syscalls/libc.ts";
import { MS } from "../syscalls/mount.ts";
import { CLONE_NEWUSER, spawn, SpawnPlan } from "../syscalls/spawn/mod.ts";
import { closeFd } from "../syscalls/socket.ts";
import { bytes, sysArgs } from "../process/sys-args.ts";
import { MOUNT_ATTR } from "./mount-options.ts";
import type { MountStep } from "./plan.ts";
import { type IdMapping, idMapText } from "../process/id-map.ts";

const AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;
const OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = O_CLOEXEC;
const MOVE_MOUNT_F_EMPTY_PATH = 0x4, MOVE_MOUNT_T_EMPTY_PATH = 0x40;

/** The child's pid as the host's procfs numbers it (we may be in a new pid namespace). */
function procPid(pidfd: number): number {
  const info = Deno.readTextFileSync(`/proc/self/fdinfo/${pidfd}`);
  const pid = /^Pid:\s*(\d+)$/m.exec(info)?.[1];
  if (!pid) throw new Error("idmap: no Pid in the pidfd's fdinfo");
  return Number(pid);
}

/** An fd on a new user namespace with these mappings. */
function makeUserns(uidMappings: IdMapping[], gidMappings: IdMapping[]): number {
  const [rd, wr] = pipe();
  const plan = new SpawnPlan();
  plan.step("close the pipe's write end", "close", [wr]);
  plan.step("wait until the namespace is taken", "read", [rd, plan.buffer(8), 1]);
  let child;
  try {
    child = spawn(plan, { flags: CLONE_NEWUSER, pidfd: true });
  } finally {
    plan.free();
    closeFd(rd);
  }
  try {
    const pid = procPid(child.pidfd!);
    Deno.writeTextFileSync(`/proc/${pid}/uid_map`, idMapText(uidMappings));
    Deno.writeTextFileSync(`/proc/${pid}/gid_map`, idMapText(gidMappings));
    return openFd(`/proc/${pid}/ns/user`, O_RDONLY | O_CLOEXEC);
  } finally {
    closeFd(wr);
    closeFd(child.pidfd!);
    child.waitSync();
  }
}

/**
 * Mounts `step.source`, ID-mapped, on the mount point open at `targetFd`. The kernel lets only
 * a process privileged over the source's filesystem (the host's root) set the mapping, so this
 * works for containers without a user namespace; with one, validation refuses the mount (runc
 * prepares such mounts on the host side, which tsrun does not do yet).
 */
export function idmappedMount(step: MountStep, targetFd: number): void {
  const idmap = step.idmap!;
  if (!step.bind) throw new Error("idmap and ridmap apply to bind mounts only");
  const { uidMappings, gidMappings } = idmap;
  if (!uidMappings || !gidMappings) {
    // The container's own mapping would be the fallback, but needs a user namespace (above).
    throw new Error("an ID-mapped mount needs both uidMappings and gidMappings");
  }
  const usernsFd = makeUserns(uidMappings, gidMappings);
  const recursiveTree = (step.options.flags & MS.REC) !== 0; // rbind
  try {
    const treeFlags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursiveTree ? AT_RECURSIVE : 0);
    const tree = Number(sysArgs("open_tree", [AT_FDCWD, step.source, treeFlags], step.source));
    try {
      // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
      const attr = new BigUint64Array([BigInt(MOUNT_ATTR.IDMAP), 0n, 0n, BigInt(usernsFd)]);
      const at = AT_EMPTY_PATH | (idmap.recursive ? AT_RECURSIVE : 0);
      sysArgs("mount_setattr", [tree, "", at, bytes(attr), attr.byteLength], step.source);
      const moveFlags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;
      sysArgs("move_mount", [tree, "", targetFd, "", moveFlags], step.destination);
    } finally {
      closeFd(tree);
    }
  } finally {
    check("close", libc().close(usernsFd));
  }
}
