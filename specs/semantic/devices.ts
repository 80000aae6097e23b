// linux.devices (config-linux.md#devices): absolute paths, major/minor for c/b/u, no device
// listed twice.
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { Check } from "./context.ts";
import { absolutePath } from "./paths.ts";

/** The kernel's dev_t holds a 12-bit major and a 20-bit minor number. */
const MAX = { major: 0xfff, minor: 0xfffff };

export const checkDevices: Check = (config) => {
  const out: Problem[] = [];
  const paths = new Map<string, number>();
  const numbers = new Map<string, number>();
  config.linux?.devices?.forEach((d, i) => {
    const ptr = (...rest: PropertyKey[]) => pointer("linux", "devices", i, ...rest);
    out.push(...absolutePath(d.path, ptr("path"), "device path"));
    const samePath = paths.get(d.path);
    if (samePath !== undefined) {
      out.push(error(ptr("path"), `${d.path} is already created by /linux/devices/${samePath}`));
    } else paths.set(d.path, i);
    if (d.type === "p") return;
    for (const k of ["major", "minor"] as const) {
      const v = d[k];
      if (v === undefined) out.push(error(ptr(k), `required for device type "${d.type}"`));
      else if (v < 0 || v > MAX[k]) out.push(error(ptr(k), `must be 0..${MAX[k]}, got ${v}`));
    }
    if (d.major === undefined || d.minor === undefined) return;
    const key = `${d.type === "u" ? "c" : d.type} ${d.major}:${d.minor}`;
    const same = numbers.get(key);
    if (same !== undefined) {
      out.push(warning(ptr(), `same type and numbers as /linux/devices/${same}`));
    } else numbers.set(key, i);
  });
  return out;
};
