// Commands are imported lazily, one file each, so a call only loads what it runs.
import type { Command } from "./command.ts";

export interface Entry {
  summary: string;
  hidden?: boolean;
}

/**
 * Imports cli/commands/<name>.ts. The specifier is computed on purpose: Deno prefetches every
 * statically visible dynamic import when it starts from source, which would load every command
 * (and zod) on each call, the container's init included. `deno compile` gets them via --include.
 */
export async function loadCommand(name: string): Promise<Command> {
  const url = new URL(`./commands/${name}.ts`, import.meta.url).href;
  return (await import(url)).default;
}

export const commands: Record<string, Entry> = {
  create: { summary: "create a container" },
  start: {
    summary: "executes the user defined process in a created container",
  },
  run: { summary: "create and run a container" },
  state: { summary: "output the state of a container" },
  list: {
    summary: "lists containers started by tsrun with the given root",
  },
  exec: { summary: "execute new process inside the container" },
  kill: {
    summary: "kill sends the specified signal (default: SIGTERM) to the container's init process",
  },
  delete: {
    summary: "delete any resources held by the container often used with detached container",
  },
  spec: { summary: "create a new specification file" },
  validate: {
    summary: "check a bundle's config.json against the OCI runtime spec",
  },
  features: { summary: "show the enabled features" },
  pause: { summary: "pause suspends all processes inside the container" },
  resume: { summary: "resumes all processes that have been previously paused" },
  ps: { summary: "ps displays the processes running inside a container" },
  update: { summary: "update container resource constraints" },
  onboot: { summary: "run every bundle in a directory to its end, in order (LinuxKit's onboot)" },
  events: {
    summary:
      "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
  },
};
