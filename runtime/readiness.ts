// `validate --host`: what this machine cannot provide for a valid config, as warnings naming
// the JSON pointer, so a deploy job can check a node before it runs anything. Only reads /proc,
// /sys and the cgroup hierarchies; creates nothing.
import { apparmorEnabled, selinuxEnabled } from "../process/lsm.ts";
import { pointer, type Problem, warning } from "../specs/problem.ts";
import type { Config } from "../specs/schema/config.ts";
import { normalizeSysctl } from "../specs/semantic/sysctl.ts";
import { nativeArch } from "../specs/syscalls.ts";
import { exists } from "./cgroups/files.ts";
import { cgroupManager } from "./cgroups/mod.ts";
import { NAMESPACES } from "./namespaces.ts";

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Kernel release as [major, minor], from uname. */
function kernel(): [number, number] {
  const [major, minor] = Deno.osRelease().split(/[.-]/).map(Number);
  return [major, minor];
}

const atLeast = ([a, b]: [number, number], [x, y]: [number, number]) =>
  a > x || (a === x && b >= y);

function namespaces(config: Config): Problem[] {
  const out: Problem[] = [];
  const noUserns = read("/proc/sys/user/max_user_namespaces")?.trim() === "0";
  config.linux?.namespaces?.forEach((ns, i) => {
    const ptr = pointer("linux", "namespaces", i);
    const proc = NAMESPACES[ns.type].proc;
    if (ns.path) return;
    if (!exists(`/proc/self/ns/${proc}`)) {
      out.push(warning(ptr, `this kernel has no ${ns.type} namespaces (no /proc/self/ns/${proc})`));
    } else if (ns.type === "user" && noUserns) {
      out.push(warning(ptr, "user namespaces are disabled here (user.max_user_namespaces is 0)"));
    }
  });
  return out;
}

/** A cgroup line "linux.resources.memory.swap: why" as a pointer and the reason. */
function cgroupProblem(line: string): Problem {
  const m = /^linux\.resources\.([^:]+?)(?: \([^)]*\))?: (.*)$/.exec(line);
  if (!m) return warning("/linux/resources", line);
  const [section, ...rest] = m[1].replace(/\[(\d+)\]/g, ".$1").split(".");
  // unified keys are file names, dots included.
  const path = section === "unified" ? [section, rest.join(".")] : [section, ...rest];
  return warning(pointer("linux", "resources", ...path.filter((s) => s !== "")), m[2]);
}

function cgroups(config: Config): Problem[] {
  const resources = config.linux?.resources;
  if (!resources) return [];
  try {
    const manager = cgroupManager({ id: "tsrun-validate", cgroupsPath: config.linux?.cgroupsPath });
    return manager.lacking(resources).map(cgroupProblem);
  } catch (e) {
    // No usable hierarchy, or a cgroupsPath form tsrun cannot place: nothing can be applied.
    return [warning("/linux/resources", e instanceof Error ? e.message : String(e))];
  }
}

function idmappedMounts(config: Config): Problem[] {
  if (atLeast(kernel(), [5, 12])) return [];
  return (config.mounts ?? []).flatMap((m, i) =>
    m.uidMappings || m.options?.some((o) => o === "idmap" || o === "ridmap")
      ? [
        warning(
          pointer("mounts", i),
          `ID-mapped mounts need Linux 5.12, this is ${Deno.osRelease()}`,
        ),
      ]
      : []
  );
}

function lsm(config: Config): Problem[] {
  const out: Problem[] = [];
  const profile = config.process?.apparmorProfile;
  if (profile) {
    if (!apparmorEnabled()) {
      out.push(warning("/process/apparmorProfile", "AppArmor is not enabled on this host"));
    } else {
      // Loaded profiles, "name (mode)" per line; readable by root.
      const loaded = read("/sys/kernel/security/apparmor/profiles");
      const names = loaded?.split("\n").map((l) => l.replace(/ \([^)]*\)$/, ""));
      if (names && profile !== "unconfined" && !names.includes(profile)) {
        out.push(
          warning("/process/apparmorProfile", `AppArmor profile "${profile}" is not loaded`),
        );
      }
    }
  }
  for (const ptr of ["/process/selinuxLabel", "/linux/mountLabel"]) {
    const set = ptr === "/linux/mountLabel"
      ? config.linux?.mountLabel
      : config.process?.selinuxLabel;
    if (set && !selinuxEnabled()) out.push(warning(ptr, "SELinux is not enabled on this host"));
  }
  return out;
}

/** runtime-spec action → the kernel's name in /proc/sys/kernel/seccomp/actions_avail. */
const KERNEL_ACTIONS: Record<string, string> = {
  SCMP_ACT_KILL: "kill_thread",
  SCMP_ACT_KILL_THREAD: "kill_thread",
  SCMP_ACT_KILL_PROCESS: "kill_process",
  SCMP_ACT_TRAP: "trap",
  SCMP_ACT_ERRNO: "errno",
  SCMP_ACT_TRACE: "trace",
  SCMP_ACT_ALLOW: "allow",
  SCMP_ACT_LOG: "log",
  SCMP_ACT_NOTIFY: "user_notif",
};

/** Architectures whose programs this machine runs: its own and its compat ABIs. */
function runnableArchs(): string[] {
  return nativeArch() === "SCMP_ARCH_AARCH64"
    ? ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]
    : ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"];
}

function seccomp(config: Config): Problem[] {
  const s = config.linux?.seccomp;
  if (!s) return [];
  const status = read("/proc/self/status") ?? "";
  if (!/^Seccomp:/m.test(status)) {
    return [warning("/linux/seccomp", "this kernel has no seccomp (CONFIG_SECCOMP)")];
  }
  const out: Problem[] = [];
  const avail = read("/proc/sys/kernel/seccomp/actions_avail")?.trim().split(/\s+/);
  const action = (a: string, ptr: string) => {
    if (avail && !avail.includes(KERNEL_ACTIONS[a])) {
      out.push(warning(ptr, `this kernel has no seccomp action ${a} (${KERNEL_ACTIONS[a]})`));
    }
  };
  action(s.defaultAction, "/linux/seccomp/defaultAction");
  s.syscalls?.forEach((r, i) =>
    action(r.action, pointer("linux", "seccomp", "syscalls", i, "action"))
  );
  const runnable = runnableArchs();
  s.architectures?.forEach((a, i) => {
    if (!runnable.includes(a)) {
      out.push(
        warning(
          pointer("linux", "seccomp", "architectures", i),
          `this ${Deno.build.arch} host runs no ${a} programs: the filter never sees them`,
        ),
      );
    }
  });
  return out;
}

/** sysctls this kernel does not have (a module not loaded, a newer kernel's name, a typo). */
function sysctls(config: Config): Problem[] {
  return Object.keys(config.linux?.sysctl ?? {}).flatMap((key) =>
    exists(`/proc/sys/${normalizeSysctl(key).replaceAll(".", "/")}`)
      ? []
      : [warning(pointer("linux", "sysctl", key), `this kernel has no sysctl ${key}`)]
  );
}

/** Warnings for what this host lacks to run `config` (which passed validation). */
export function hostProblems(config: Config): Problem[] {
  return [namespaces, cgroups, idmappedMounts, lsm, seccomp, sysctls].flatMap((check) =>
    check(config)
  );
}
