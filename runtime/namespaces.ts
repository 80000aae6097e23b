// OCI namespace types ↔ clone flags and /proc/PID/ns names.
import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from "../syscalls/spawn/mod.ts";
import type { NamespaceType } from "../specs/namespaces.ts";

export const NAMESPACES = {
  user: { flag: CLONE_NEWUSER, proc: "user" },
  pid: { flag: CLONE_NEWPID, proc: "pid" },
  network: { flag: CLONE_NEWNET, proc: "net" },
  mount: { flag: CLONE_NEWNS, proc: "mnt" },
  ipc: { flag: CLONE_NEWIPC, proc: "ipc" },
  uts: { flag: CLONE_NEWUTS, proc: "uts" },
  cgroup: { flag: CLONE_NEWCGROUP, proc: "cgroup" },
  time: { flag: CLONE_NEWTIME, proc: "time" },
} as const satisfies Record<NamespaceType, { flag: bigint; proc: string }>;
