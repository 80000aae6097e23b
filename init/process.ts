// The user process: everything runc's finalizeNamespace does, on the thread that will execve.
// Runs after the root switch; errors here are still reported to `create`.
import type { InitRequest } from "./protocol.ts";
import { lookPath } from "../process/look-path.ts";
import { seccompInstaller } from "./seccomp/install.ts";
import type { ListenerTarget } from "../process/seccomp/listener.ts";
import type { State } from "../specs/schema/state.ts";
import { capMask, capNames, grantableCaps } from "../process/capabilities.ts";
import type { Capabilities } from "../specs/schema/process.ts";
import { withHome } from "./home.ts";
import { applyProcessAttrs } from "../process/process-attrs.ts";
import { setExecLabels } from "../process/lsm.ts";
import { CAPABILITIES } from "../specs/capabilities.ts";
import { rlimitResource } from "../specs/rlimits.ts";
import { toUint64 } from "../specs/uint64.ts";
import {
  check,
  cstr,
  libc,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  O_WRONLY,
  openFd,
  setCloexec,
} from "../syscalls/libc.ts";
import {
  capset,
  closeRangeCloexec,
  execve,
  PR,
  prctl,
  setgroups,
  setresgid,
  setresuid,
  setrlimit,
} from "../syscalls/process.ts";

function lastCap(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/sys/kernel/cap_last_cap").trim());
  } catch {
    return CAPABILITIES.length - 1;
  }
}

function readPasswd(): string | undefined {
  try {
    return Deno.readTextFileSync("/etc/passwd");
  } catch {
    return undefined;
  }
}

/**
 * chdir by path inside the container's root, then make sure the result is inside it: a cwd such
 * as /proc/self/fd/N on a directory fd leaked from the host would otherwise put the process
 * outside the container (CVE-2024-21626). getcwd(3) reports such a directory as unreachable.
 */
function enterCwd(cwd: string): void {
  check("chdir", libc().chdir(cstr(cwd)), cwd);
  let real: string;
  try {
    real = Deno.cwd();
  } catch {
    real = "";
  }
  if (!real.startsWith("/")) {
    throw new Error(
      `process.cwd ${cwd}: the working directory is outside the container's root ` +
        "(possible container breakout)",
    );
  }
}

type CapSet = "bounding" | "effective" | "permitted" | "inheritable" | "ambient";

/**
 * The five sets as masks, without what this runtime cannot grant: the spec asks for a warning
 * there, not a failure (runc fails in capset).
 */
function grantable(caps: Capabilities | undefined): Record<CapSet, bigint> {
  const can = grantableCaps();
  const sets = ["bounding", "effective", "permitted", "inheritable", "ambient"] as const;
  const asked = Object.fromEntries(sets.map((s) => [s, capMask(caps?.[s])])) as Record<
    CapSet,
    bigint
  >;
  const lost = Object.values(asked).reduce((a, m) => a | m, 0n) & ~can;
  if (lost) {
    console.error(
      `tsrun: warning: process.capabilities: ${capNames(lost).join(", ")} cannot be granted ` +
        "by this runtime, left out",
    );
  }
  for (const s of sets) asked[s] &= can;
  return asked;
}

/** Where the seccomp listener fd goes, when the parent connected to listenerPath. */
function listenerTarget(req: InitRequest): ListenerTarget | undefined {
  if (req.seccompListener === undefined) return undefined;
  return {
    socket: req.seccompListener,
    metadata: req.config.linux?.seccomp?.listenerMetadata,
    state: req.state as unknown as State,
    pid: req.state.pid as number,
  };
}

/** Sets up credentials now; returns the exec to run once `start` arrives. */
export function prepareProcess(req: InitRequest): () => never {
  const proc = req.config.process;
  if (!proc?.args?.length) throw new Error("process.args must not be empty");
  const user = proc.user ?? { uid: 0, gid: 0 };
  const env = withHome(proc.env ?? [], user.uid ?? 0, readPasswd());
  enterCwd(proc.cwd ?? "/");
  const path = lookPath(proc.args[0], env);
  const seccomp = seccompInstaller(req.config.linux?.seccomp, proc, listenerTarget(req));

  if (proc.oomScoreAdj !== undefined) {
    Deno.writeTextFileSync("/proc/self/oom_score_adj", String(proc.oomScoreAdj));
  }
  // Real-time policies and classes need the capabilities about to be dropped.
  applyProcessAttrs(proc, req.config.linux);
  setExecLabels(req.config);
  const caps = grantable(proc.capabilities);
  const bounding = caps.bounding;
  prctl(PR.SET_KEEPCAPS, 1);
  for (let cap = 0; cap <= lastCap(); cap++) {
    if (!(bounding & (1n << BigInt(cap)))) prctl(PR.CAPBSET_DROP, cap);
  }
  // Only the preserved fds reach the process. Marked now: the Deno runtime keeps using its fds
  // until the exec, and a seccomp filter installed next may not allow close_range.
  closeRangeCloexec(3 + req.preserveFds);
  seccomp.beforeCredentials();
  // With setgroups denied (rootless user namespaces) the call fails; only try when asked.
  if (user.additionalGids?.length || !req.newUserns) setgroups(user.additionalGids ?? []);
  setresgid(user.gid ?? 0);
  setresuid(user.uid ?? 0);
  // An effective capability that is not permitted cannot be granted (validation warned).
  capset(caps.effective & caps.permitted, caps.permitted, caps.inheritable);
  prctl(PR.SET_KEEPCAPS, 0);
  // The kernel only lets a capability be ambient when it is permitted and inheritable; runc
  // skips the others, and so do we.
  const ambient = caps.ambient & caps.permitted & caps.inheritable;
  for (let bit = 0; bit <= lastCap(); bit++) {
    if (ambient & (1n << BigInt(bit))) prctl(PR.CAP_AMBIENT, PR.CAP_AMBIENT_RAISE, bit);
  }
  if (proc.noNewPrivileges) prctl(PR.SET_NO_NEW_PRIVS, 1);
  libc().umask(user.umask ?? 0o022);

  return () => {
    // Limits last: a low RLIMIT_AS or NOFILE must not hit the Deno runtime before the exec.
    for (const r of proc.rlimits ?? []) {
      setrlimit(rlimitResource(r.type) ?? -1, toUint64(r.soft), toUint64(r.hard), r.type);
    }
    seccomp.beforeExec();
    return execve(path, proc.args!, env);
  };
}

/**
 * The exec fifo: an O_PATH fd the parent opened on the host, and this process's own fd
 * directory to reopen it through. Opening the fifo for writing blocks until `start`, so it is
 * reopened only then, and /proc/self/fd is held now: the container may have no /proc later.
 */
export interface ExecFifo {
  procFd: number;
  fifoFd: number;
}

export function holdExecFifo(fifoFd: number): ExecFifo {
  setCloexec(fifoFd, true, "exec fifo");
  return { procFd: openFd("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC), fifoFd };
}

/**
 * Blocks until `tsrun start` opens the exec fifo for reading, then tells it we go. The write end
 * stays open (close-on-exec): `start` reads until EOF, so it returns once the container's
 * process runs, and a signal sent after it never reaches this init instead (as pid 1 of the
 * container's namespace, it would drop any signal it has no handler for).
 */
export function waitForStart(fifo: ExecFifo): void {
  const fd = check(
    "open",
    libc().openat(fifo.procFd, cstr(String(fifo.fifoFd)), O_WRONLY | O_CLOEXEC, 0),
    "exec fifo",
  );
  check("write", Number(libc().write(fd, cstr("0"), 1n)), "exec fifo");
  for (const f of [fifo.procFd, fifo.fifoFd]) libc().close(f);
}
