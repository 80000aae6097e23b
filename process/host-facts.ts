// What the credential steps (credentials.ts) need to know of the host: read by the init in the
// container, and by `exec` on the host for the container's init.
import { capHeader } from "./capabilities.ts";
import type { HostFacts } from "./credentials.ts";
import { bytes, sysArgs } from "./sys-args.ts";
import { PR } from "../syscalls/process.ts";

/**
 * `setgroupsFile` is /proc/PID/setgroups of a process in the user namespace the steps run in;
 * `fallback` is what to assume when it cannot be read. `joinsUserns`: the steps run after a
 * setns into a user namespace, which gives the full permitted and bounding sets there (the
 * kernel's set_cred_user_ns), as a process born in one has: everything can be granted.
 */
export function hostFacts(
  setgroupsFile: string,
  fallback: HostFacts["setgroups"],
  joinsUserns = false,
): HostFacts {
  const caps = probeCapabilities();
  if (joinsUserns) caps.grantable = (1n << BigInt(caps.lastCap + 1)) - 1n;
  return { ...caps, setgroups: readSetgroups(setgroupsFile, fallback) };
}

/**
 * The kernel's last capability, probed with PR_CAPBSET_READ (which fails past it: no /proc
 * needed), and the capabilities this thread holds in both its permitted and its bounding set,
 * the only ones it can pass on (a runtime in a restricted environment may lack some, e.g.
 * CAP_SYS_RESOURCE).
 */
function probeCapabilities(): { lastCap: number; grantable: bigint } {
  const data = new Uint32Array(6);
  sysArgs("capget", [capHeader(), bytes(data)]);
  const permitted = BigInt(data[1]) | (BigInt(data[4]) << 32n);
  let bounding = 0n;
  let lastCap = -1;
  for (let bit = 0; bit < 64; bit++) {
    let r: bigint;
    try {
      r = sysArgs("prctl", [PR.CAPBSET_READ, bit]);
    } catch {
      break; // EINVAL: past the kernel's last capability
    }
    lastCap = bit;
    if (r === 1n) bounding |= 1n << BigInt(bit);
  }
  return { lastCap, grantable: permitted & bounding };
}

/** A user namespace whose setgroups file says "deny" refuses setgroups(2). */
function readSetgroups(path: string, fallback: HostFacts["setgroups"]): HostFacts["setgroups"] {
  try {
    return Deno.readTextFileSync(path).trim() === "deny" ? "deny" : "allow";
  } catch {
    return fallback;
  }
}
