// linux.netDevices: moving host interfaces needs the container's own network namespace, and
// both names must be valid interface names (the kernel's dev_valid_name).
import { error, pointer, type Problem } from "../problem.ts";
import { type Check, hasNamespace } from "./context.ts";

/** IFNAMSIZ is 16 bytes including the terminating NUL. */
const MAX_NAME = 15;

export function invalidName(name: string): string | undefined {
  if (name === "" || name === "." || name === "..") return `"${name}" is not an interface name`;
  if (new TextEncoder().encode(name).length > MAX_NAME) {
    return `"${name}" is longer than ${MAX_NAME} bytes`;
  }
  if (/[/:\s]/.test(name)) return `"${name}" contains "/", ":" or whitespace`;
  return undefined;
}

export const checkNetDevices: Check = (config) => {
  const devices = config.linux?.netDevices;
  if (!devices || Object.keys(devices).length === 0) return [];
  const out: Problem[] = [];
  if (!hasNamespace(config, "network")) {
    out.push(error("/linux/netDevices", "needs a network namespace in linux.namespaces"));
  }
  for (const [host, dev] of Object.entries(devices)) {
    const hostProblem = invalidName(host);
    if (hostProblem) out.push(error(pointer("linux", "netDevices", host), hostProblem));
    const inner = dev.name === undefined || dev.name === "" ? undefined : invalidName(dev.name);
    if (inner) out.push(error(pointer("linux", "netDevices", host, "name"), inner));
  }
  return out;
};
