// process (config.md#process): also what `exec --process` supplies, so checkProcess stands alone.
import { isCpuList } from "./resources.ts";
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { Process } from "../schema/process.ts";
import type { Check } from "./context.ts";
import { checkCapabilities } from "./capabilities.ts";
import { checkEnv } from "./env.ts";
import { absolutePath } from "./paths.ts";
import { checkRlimits } from "./rlimits.ts";
import { checkScheduling } from "./scheduling.ts";

/** Checks one process object found at the JSON pointer segments `at`. */
export function checkProcess(p: Process, at: PropertyKey[]): Problem[] {
  const ptr = (...rest: PropertyKey[]) => pointer(...at, ...rest);
  const out: Problem[] = absolutePath(p.cwd, ptr("cwd"), "cwd");
  if (!p.args || p.args.length === 0) {
    out.push(error(ptr("args"), "needs at least one entry, the program to run"));
  } else if (p.args[0] === "") out.push(error(ptr("args", 0), "the program name is empty"));
  if (p.commandLine !== undefined) out.push(warning(ptr("commandLine"), "Windows only, ignored"));
  out.push(...checkEnv(p.env, [...at, "env"]));
  out.push(...checkUser(p, at));
  if (p.consoleSize && !p.terminal) {
    out.push(warning(ptr("consoleSize"), "ignored because terminal is not true"));
  }
  out.push(...checkCapabilities(p.capabilities, [...at, "capabilities"]));
  out.push(...checkRlimits(p.rlimits, [...at, "rlimits"]));
  out.push(...checkScheduling(p, at));
  for (const k of ["initial", "final"] as const) {
    const list = p.execCPUAffinity?.[k];
    if (list && !isCpuList(list)) {
      out.push(error(ptr("execCPUAffinity", k), `"${list}" is not a CPU list like "0-3,7"`));
    }
  }
  return out;
}

function checkUser(p: Process, at: PropertyKey[]): Problem[] {
  const ptr = (...rest: PropertyKey[]) => pointer(...at, ...rest);
  const u = p.user;
  if (!u) return [warning(ptr("user"), "not set: the process runs as uid 0, gid 0")];
  const out: Problem[] = [];
  // The prose marks both REQUIRED on POSIX (config.md#posix-platform-user), the schema does not.
  for (const k of ["uid", "gid"] as const) {
    if (u[k] === undefined) out.push(error(ptr("user", k), "required on Linux"));
  }
  if (u.username !== undefined) out.push(warning(ptr("user", "username"), "Windows only, ignored"));
  if (u.umask !== undefined && u.umask > 0o777) {
    out.push(
      warning(ptr("user", "umask"), `only the permission bits (0..511) apply, got ${u.umask}`),
    );
  }
  return out;
}

export const checkConfigProcess: Check = (config) =>
  config.process
    ? checkProcess(config.process, ["process"])
    : [warning("/process", "not set: create needs a process (runc refuses a config without one)")];
