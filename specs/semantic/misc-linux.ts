// Smaller linux fields: intelRdt, personality, cgroupsPath.
import { error, type Problem, warning } from "../problem.ts";
import type { Check } from "./context.ts";

export const checkMiscLinux: Check = (config) => {
  const linux = config.linux;
  const out: Problem[] = [];
  const rdt = linux?.intelRdt;
  if (
    rdt?.closID !== undefined &&
    (rdt.closID === "." || rdt.closID === ".." || rdt.closID.includes("/"))
  ) {
    out.push(error("/linux/intelRdt/closID", `"${rdt.closID}" is not a resctrl group name`));
  }
  if (rdt?.l3CacheSchema !== undefined && !rdt.l3CacheSchema.startsWith("L3")) {
    out.push(warning("/linux/intelRdt/l3CacheSchema", 'should start with "L3:"'));
  }
  if (linux?.personality?.flags?.length) {
    out.push(warning("/linux/personality/flags", "personality flags are not supported, ignored"));
  }
  const cg = linux?.cgroupsPath;
  if (cg !== undefined) {
    if (cg.includes("\0")) out.push(error("/linux/cgroupsPath", "contains a NUL byte"));
    else if (cg.split("/").includes("..")) {
      out.push(error("/linux/cgroupsPath", `"${cg}" must not contain ".." components`));
    } else if (/^[^/:]+:[^/:]*:[^/:]+$/.test(cg)) {
      out.push(
        warning(
          "/linux/cgroupsPath",
          `"${cg}" is a systemd slice:prefix:name: it needs --systemd-cgroup`,
        ),
      );
    }
  }
  return out;
};
