// Commands are imported lazily, one file each, so a call only loads what it runs.
import type { Command } from "./command.ts";

export interface Entry {
  summary: string;
  load: () => Promise<{ default: Command }>;
  hidden?: boolean;
}

export const commands: Record<string, Entry> = {
  create: { summary: "create a container", load: () => import("./commands/create.ts") },
  start: {
    summary: "executes the user defined process in a created container",
    load: () => import("./commands/start.ts"),
  },
  run: { summary: "create and run a container", load: () => import("./commands/run.ts") },
  state: { summary: "output the state of a container", load: () => import("./commands/state.ts") },
  list: {
    summary: "lists containers started by tsrun with the given root",
    load: () => import("./commands/list.ts"),
  },
  kill: {
    summary: "kill sends the specified signal (default: SIGTERM) to the container's init process",
    load: () => import("./commands/kill.ts"),
  },
  delete: {
    summary: "delete any resources held by the container often used with detached container",
    load: () => import("./commands/delete.ts"),
  },
  spec: { summary: "create a new specification file", load: () => import("./commands/spec.ts") },
  validate: {
    summary: "check a bundle's config.json against the OCI runtime spec",
    load: () => import("./commands/validate.ts"),
  },
  features: { summary: "show the enabled features", load: () => import("./commands/features.ts") },
};
