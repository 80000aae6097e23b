// linux.sysctl (config-linux.md#sysctl): only namespaced sysctls, and only when the config gives
// the container its own namespace of that kind; anything else would change the host.
import { error, pointer, type Problem } from "../problem.ts";
import type { NamespaceType } from "../namespaces.ts";
import type { Config } from "../schema/config.ts";
import { type Check, hasNamespace, namespacePath } from "./context.ts";

const IPC_SYSCTLS = new Set([
  "kernel.msgmax",
  "kernel.msgmnb",
  "kernel.msgmni",
  "kernel.sem",
  "kernel.shmall",
  "kernel.shmmax",
  "kernel.shmmni",
  "kernel.shm_rmid_forced",
]);

/** sysctl(8) also accepts "/" as the separator, in which case "." may appear in a component. */
export function normalizeSysctl(key: string): string {
  const sep = key.search(/[./]/);
  if (sep < 0 || key[sep] === ".") return key;
  return key.replace(/[./]/g, (c) => (c === "/" ? "." : "/"));
}

/** The namespace a sysctl belongs to, or undefined when it is not namespaced. */
export function sysctlNamespace(key: string): NamespaceType | undefined {
  if (IPC_SYSCTLS.has(key) || key.startsWith("fs.mqueue.")) return "ipc";
  if (key.startsWith("net.")) return "network";
  if (key === "kernel.hostname" || key === "kernel.domainname") return "uts";
  if (key.startsWith("user.")) return "user";
  return undefined;
}

/** Joining the namespace tsrun itself is in is no isolation (runc compares the same way). */
function isOurNetns(path: string): boolean {
  if (path === "") return false;
  try {
    const [a, b] = [Deno.statSync(path), Deno.statSync("/proc/self/ns/net")];
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false; // a missing path is reported by the namespace checks
  }
}

function checkOne(config: Config, raw: string): string | undefined {
  const key = normalizeSysctl(raw);
  if (key === "") return "empty sysctl name";
  const ns = sysctlNamespace(key);
  if (ns === undefined) return `${key} is not namespaced: setting it would change the host`;
  if (!hasNamespace(config, ns)) return `${key} needs a ${ns} namespace in linux.namespaces`;
  if (ns === "network" && isOurNetns(namespacePath(config, "network"))) {
    return `${key} would change the network namespace tsrun runs in`;
  }
  if (key === "kernel.hostname") return `use the hostname field instead of ${key}`;
  return undefined;
}

export const checkSysctl: Check = (config) => {
  const out: Problem[] = [];
  for (const key of Object.keys(config.linux?.sysctl ?? {})) {
    const msg = checkOne(config, key);
    if (msg) out.push(error(pointer("linux", "sysctl", key), msg));
  }
  return out;
};
