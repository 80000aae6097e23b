// The process `exec` starts, built as runc builds it: from --process FILE alone, or from the
// container's own process with the command line's flags on top. Either way some fields always
// come from the container (umask, oomScoreAdj) and others fall back to it (capabilities,
// rlimits) — see runc's getProcess and newInitConfig.
import type { Config } from "../../specs/schema/config.ts";
import type { Capabilities, Process, Rlimit } from "../../specs/schema/process.ts";
import { capabilityBit } from "../../specs/capabilities.ts";
import { RuntimeError } from "../errors.ts";

/** What the command line asks for. */
export interface ExecRequest {
  /** The OCI process from --process FILE (already validated); the flags below are then unused. */
  process?: Process;
  /** The command and its arguments. */
  args: string[];
  env: string[];
  cwd?: string;
  /** "uid[:gid]" */
  user?: string;
  additionalGids: string[];
  caps: string[];
  /** undefined when --no-new-privs was not given. */
  noNewPrivs?: boolean;
  tty: boolean;
  apparmor?: string;
  processLabel?: string;
}

export interface ExecProcess {
  args: string[];
  /** As given: duplicates and HOME are settled with the container's passwd (process/env.ts). */
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  /** The container's; undefined: 0o022, as for the container's own process. */
  umask?: number;
  capabilities: Capabilities;
  noNewPrivileges: boolean;
  rlimits: Rlimit[];
  oomScoreAdj?: number;
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  /** CPUs for the process before ("initial") and after ("final") it joins the cgroup. */
  execCPUAffinity?: { initial?: string; final?: string };
  /** LSM settings: the process's own, else the container's. */
  apparmorProfile?: string;
  selinuxLabel?: string;
}

export function buildExecProcess(config: Config, req: ExecRequest): ExecProcess {
  const base = config.process;
  const fromContainer = {
    umask: base?.user?.umask,
    oomScoreAdj: base?.oomScoreAdj,
  };
  const execCPUAffinity = req.process?.execCPUAffinity ?? base?.execCPUAffinity;
  const affinity = execCPUAffinity ? { execCPUAffinity } : {};
  const p = req.process;
  if (p) {
    return {
      args: p.args ?? [],
      env: p.env ?? [],
      cwd: p.cwd,
      uid: p.user?.uid ?? 0,
      gid: p.user?.gid ?? 0,
      additionalGids: p.user?.additionalGids ?? [],
      capabilities: p.capabilities ?? base?.capabilities ?? {},
      noNewPrivileges: p.noNewPrivileges ?? false,
      rlimits: p.rlimits?.length ? p.rlimits : base?.rlimits ?? [],
      terminal: p.terminal ?? false,
      consoleSize: p.consoleSize,
      apparmorProfile: p.apparmorProfile || base?.apparmorProfile,
      selinuxLabel: p.selinuxLabel || base?.selinuxLabel,
      ...affinity,
      ...fromContainer,
    };
  }
  const cwd = req.cwd ?? base?.cwd ?? "/";
  if (!cwd.startsWith("/")) throw new RuntimeError(`--cwd ${cwd}: must be an absolute path`);
  const { uid, gid } = parseUser(req.user, base?.user?.uid ?? 0, base?.user?.gid ?? 0);
  // A config's odd entry reaches the process as given (validation warns); a flag's is a typo.
  const odd = req.env.find((kv) => kv.indexOf("=") <= 0);
  if (odd !== undefined) throw new RuntimeError(`env ${JSON.stringify(odd)}: expected NAME=VALUE`);
  return {
    args: req.args,
    env: [...base?.env ?? [], ...req.env],
    cwd,
    uid,
    gid,
    additionalGids: [...base?.user?.additionalGids ?? [], ...req.additionalGids.map(parseGid)],
    capabilities: addCaps(base?.capabilities ?? {}, req.caps),
    noNewPrivileges: req.noNewPrivs ?? base?.noNewPrivileges ?? false,
    rlimits: base?.rlimits ?? [],
    terminal: req.tty,
    apparmorProfile: req.apparmor || base?.apparmorProfile,
    selinuxLabel: req.processLabel || base?.selinuxLabel,
    ...affinity,
    ...fromContainer,
  };
}

function parseUser(spec: string | undefined, uid: number, gid: number) {
  if (spec === undefined || spec === "") return { uid, gid };
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new RuntimeError(`--user ${spec}: expected <uid>[:<gid>] as numbers`);
  const id = (s: string) => {
    const n = Number(s);
    if (n > 0xfffffffe) throw new RuntimeError(`--user ${spec}: ${s} is out of range`);
    return n;
  };
  return { uid: id(m[1]), gid: m[2] === undefined ? gid : id(m[2]) };
}

function parseGid(s: string): number {
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n <= 0xfffffffe)) {
    throw new RuntimeError(`--additional-gids ${s}: expected a non-negative group id`);
  }
  return n;
}

/** --cap adds to bounding, effective and permitted; to ambient only when the process has an
 * inheritable set at all (ambient needs inheritable, which --cap does not add). */
function addCaps(caps: Capabilities, names: string[]): Capabilities {
  if (!names.length) return caps;
  for (const n of names) {
    if (capabilityBit(n) === undefined) throw new RuntimeError(`--cap ${n}: unknown capability`);
  }
  const plus = (set?: string[]) => [...set ?? [], ...names];
  return {
    ...caps,
    bounding: plus(caps.bounding),
    effective: plus(caps.effective),
    permitted: plus(caps.permitted),
    ambient: caps.inheritable ? plus(caps.ambient) : caps.ambient,
  };
}
