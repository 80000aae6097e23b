// linux.seccomp (config-linux.md#seccomp): errno only with actions that return one, the notify
// listener wiring, argument indexes, and syscall names known to libseccomp.
import { error, pointer, type Problem, warning } from "../problem.ts";
import { archsWithTables, isKnownSyscall, nativeArch } from "../syscalls.ts";
import type { Check } from "./context.ts";

const ERRNO_ACTIONS = new Set(["SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"]);
/** A syscall has at most six arguments. */
const MAX_ARG_INDEX = 5;

export const checkSeccomp: Check = (config) => {
  const s = config.linux?.seccomp;
  if (!s) return [];
  const out: Problem[] = [];
  const at = (...rest: PropertyKey[]) => pointer("linux", "seccomp", ...rest);
  if (s.defaultErrnoRet !== undefined && !ERRNO_ACTIONS.has(s.defaultAction)) {
    out.push(error(at("defaultErrnoRet"), `${s.defaultAction} does not return an errno`));
  }
  if (s.defaultAction === "SCMP_ACT_NOTIFY") {
    out.push(error(at("defaultAction"), "SCMP_ACT_NOTIFY cannot be the default action"));
  }
  const notifies = s.defaultAction === "SCMP_ACT_NOTIFY" ||
    (s.syscalls?.some((r) => r.action === "SCMP_ACT_NOTIFY") ?? false);
  if (notifies && !s.listenerPath) {
    out.push(error(at("listenerPath"), "required when a rule uses SCMP_ACT_NOTIFY"));
  }
  if (s.listenerPath && !notifies) {
    out.push(warning(at("listenerPath"), "unused: no rule uses SCMP_ACT_NOTIFY"));
  }
  if (s.listenerMetadata !== undefined && !s.listenerPath) {
    out.push(error(at("listenerMetadata"), "must not be set without listenerPath"));
  }
  const archs = s.architectures ?? [];
  archs.forEach((a, i) => {
    if (archs.indexOf(a) !== i) out.push(warning(at("architectures", i), `${a} is listed twice`));
    else if (archsWithTables([a]).length === 0) {
      // No numbers to translate the rules into: the filter treats it as not listed.
      out.push(warning(at("architectures", i), `${a} is not supported, its syscalls are killed`));
    }
  });
  // Names are checked against the listed architectures we have tables for; with none listed,
  // libseccomp resolves them for the native one only.
  const tables = archsWithTables(archs.length > 0 ? archs : [nativeArch()]);
  s.syscalls?.forEach((rule, i) => {
    if (rule.errnoRet !== undefined && !ERRNO_ACTIONS.has(rule.action)) {
      out.push(error(at("syscalls", i, "errnoRet"), `${rule.action} does not return an errno`));
    }
    rule.names.forEach((name, j) => {
      const ptr = at("syscalls", i, "names", j);
      if (name === "") out.push(error(ptr, "empty syscall name"));
      else if (tables.length > 0 && !isKnownSyscall(name, tables)) {
        const where = tables.map((t) => t.replace("SCMP_ARCH_", "").toLowerCase()).join(", ");
        out.push(warning(ptr, `unknown syscall "${name}" on ${where}, ignored`));
      }
      if (name === "write" && rule.action === "SCMP_ACT_NOTIFY") {
        // The runtime itself writes to the agent, so it would block on its own notification.
        out.push(error(ptr, "SCMP_ACT_NOTIFY cannot be used for write"));
      }
    });
    rule.args?.forEach((arg, k) => {
      if (arg.index > MAX_ARG_INDEX) {
        out.push(
          error(
            at("syscalls", i, "args", k, "index"),
            `must be 0..${MAX_ARG_INDEX}, got ${arg.index}`,
          ),
        );
      }
    });
  });
  return out;
};
