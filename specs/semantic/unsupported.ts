// Fields the spec defines but tsrun does not apply (see ../implemented.ts). Security policies
// are errors, as in a runc built without them: a container must not silently run unconfined.
// The rest are warnings, since the container still works without them.
import { IMPLEMENTED } from "../implemented.ts";
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { Config } from "../schema/config.ts";
import type { Check } from "./context.ts";

const NOT_YET = "is not implemented by tsrun yet";

/** The value at a JSON pointer made of plain keys (no escapes needed). */
function at(config: Config, ptr: string): unknown {
  let v: unknown = config;
  for (const key of ptr.split("/").slice(1)) {
    v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

export const checkUnsupported: Check = (config) => {
  const out: Problem[] = [];
  const policy = (on: boolean, ptr: string, what: string) => {
    if (!on && at(config, ptr) !== undefined) out.push(error(ptr, `${what} ${NOT_YET}`));
  };
  policy(IMPLEMENTED.seccomp, "/linux/seccomp", "seccomp");
  policy(IMPLEMENTED.apparmor, "/process/apparmorProfile", "AppArmor");
  policy(IMPLEMENTED.selinux, "/process/selinuxLabel", "SELinux");
  const ignored = (on: boolean, ptr: string, what: string) => {
    if (!on && at(config, ptr) !== undefined) out.push(warning(ptr, `${what} ${NOT_YET}, ignored`));
  };
  ignored(IMPLEMENTED.selinux, "/linux/mountLabel", "SELinux");
  ignored(IMPLEMENTED.intelRdt, "/linux/intelRdt", "Intel RDT");
  ignored(IMPLEMENTED.netDevices, "/linux/netDevices", "moving network devices");
  ignored(IMPLEMENTED.cgroup.rdma, "/linux/resources/rdma", "the rdma cgroup");
  for (const ptr of IMPLEMENTED.notApplied) ignored(false, ptr, ptr.split("/").pop()!);
  config.linux?.namespaces?.forEach((ns, i) => {
    if (!(IMPLEMENTED.namespaces as readonly string[]).includes(ns.type)) {
      out.push(
        error(pointer("linux", "namespaces", i, "type"), `${ns.type} namespaces ${NOT_YET}`),
      );
    }
  });
  const userns = config.linux?.namespaces?.some((ns) => ns.type === "user") ?? false;
  config.mounts?.forEach((m, i) => {
    const idmapped = m.uidMappings || m.options?.some((o) => o === "idmap" || o === "ridmap");
    if (!idmapped) return;
    if (!IMPLEMENTED.idmapMounts) {
      out.push(error(pointer("mounts", i), `ID-mapped mounts ${NOT_YET}`));
    } else if (userns) {
      // The kernel lets only the host's root map a host filesystem: runc prepares these mounts
      // from the host side and hands them to its init, which tsrun does not do yet.
      out.push(
        error(pointer("mounts", i), `ID-mapped mounts in a user namespace ${NOT_YET}`),
      );
    }
  });
  return out;
};
