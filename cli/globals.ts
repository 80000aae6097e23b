import type { FlagDef } from "./args.ts";

/** runc's global flags; they precede the subcommand. */
export const globalFlags: FlagDef[] = [
  { name: "debug", type: "boolean", help: "enable debug logging" },
  {
    name: "log",
    type: "string",
    value: "FILE",
    help: "set the log file to write tsrun logs to (default is stderr)",
  },
  {
    name: "log-format",
    type: "string",
    value: "text|json",
    default: "text",
    help: "set the log format",
  },
  {
    name: "root",
    type: "string",
    value: "DIR",
    help:
      "root directory for storage of container state (default: /run/tsrun for root, else $XDG_RUNTIME_DIR/tsrun or /tmp/tsrun-UID)",
  },
  {
    name: "criu",
    type: "string",
    value: "PATH",
    help: "accepted for runc compatibility; checkpointing is not supported",
  },
  {
    name: "systemd-cgroup",
    type: "boolean",
    help: "create the cgroup as a systemd scope unit (cgroupsPath slice:prefix:name)",
  },
  {
    name: "rootless",
    type: "string",
    value: "true|false|auto",
    default: "auto",
    help: "ignore cgroup permission errors",
  },
  { name: "help", short: "h", type: "boolean", help: "show help" },
  { name: "version", short: "v", type: "boolean", help: "print the version" },
];
