// Messages between the parent (`tsrun create`/`run`) and the container's init.
import type { Config } from "../specs/schema/config.ts";
import type { HookPhase } from "./plan.ts";
import type { Marks } from "../process/trace.ts";

/** Environment variable naming the inherited socket fd, like runc's _LIBCONTAINER_INITPIPE. */
export const INIT_PIPE_ENV = "_TSRUN_INITPIPE";

export interface InitRequest {
  type: "config";
  id: string;
  config: Config;
  /** Absolute host path of the rootfs. */
  rootfs: string;
  bundle: string;
  /**
   * An O_PATH fd of the exec fifo that `start` opens comes with this message (SCM_RIGHTS);
   * false for `run` (no wait for start).
   */
  fifo: boolean;
  noPivot: boolean;
  /** --no-new-keyring: stay in the caller's session keyring. */
  noNewKeyring: boolean;
  preserveFds: number;
  /** The OCI state the hooks get on stdin (status filled in by init). */
  state: Record<string, unknown>;
  /** The container lives in a new user namespace whose maps the parent wrote. */
  newUserns: boolean;
  /** A new cgroup namespace, made by the init first thing: it is in its cgroup by then. */
  newCgroupns: boolean;
  /** Inherited fd of the engine's console socket (process.terminal with --console-socket). */
  consoleSocket?: number;
  /** Inherited fd of the socket connected to linux.seccomp.listenerPath (SCMP_ACT_NOTIFY). */
  seccompListener?: number;
  /** linux.seccomp compiled by the parent: the init carries no compiler and no syscall tables. */
  seccomp?: InitSeccomp;
  /** --debug: the init marks its phases and sends them with "ready" (process/trace.ts). */
  trace: boolean;
}

export interface InitSeccomp {
  /** struct sock_filter[], base64 (the channel carries JSON). */
  filter: string;
  flags: number;
  /** A rule uses SCMP_ACT_NOTIFY: the listener fd goes to seccompListener. */
  listener: boolean;
}

export type ToInit = InitRequest | { type: "continue" } | { type: "abort"; message: string };

export type FromInit =
  /** init reached a point where the parent must run hooks in the runtime namespace. */
  | { type: "hooks"; phase: Exclude<HookPhase, "createContainer"> }
  /** The pty master for a foreground `run` with a terminal, attached to the message (SCM_RIGHTS). */
  | { type: "console" }
  /**
   * Everything is set up; init waits for "continue" (the resource limits are applied then),
   * then on the exec fifo, or execs at once without one.
   */
  | { type: "ready"; marks?: Marks }
  | { type: "error"; message: string };
