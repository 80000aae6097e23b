import { CliError, type Command, type Context } from "../command.ts";
import { storeOf, warner } from "../common.ts";
import { checks } from "../../runtime/parts.ts";
import type { FlagDef } from "../args.ts";
import type { Process } from "../../specs/schema/process.ts";
import type { ExecRequest } from "../../runtime/exec/process.ts";
import { execContainer } from "../../runtime/container/exec.ts";

const flags: FlagDef[] = [
  {
    name: "console-socket",
    type: "string",
    value: "PATH",
    help: "AF_UNIX socket that receives the pty master (with --tty)",
  },
  { name: "cwd", type: "string", value: "DIR", help: "working directory in the container" },
  { name: "env", short: "e", type: "string", multiple: true, help: "add NAME=VALUE to the env" },
  { name: "tty", short: "t", type: "boolean", help: "allocate a pseudo-terminal" },
  { name: "user", short: "u", type: "string", value: "UID[:GID]", help: "user and group ids" },
  {
    name: "additional-gids",
    short: "g",
    type: "string",
    multiple: true,
    value: "GID",
    help: "additional group id",
  },
  {
    name: "process",
    short: "p",
    type: "string",
    value: "FILE",
    help: "process.json to run instead of a command (the container's process is not used)",
  },
  { name: "detach", short: "d", type: "boolean", help: "return once the process runs" },
  { name: "pid-file", type: "string", value: "FILE", help: "write the process's host pid here" },
  { name: "process-label", type: "string", help: "SELinux label (not supported: refused)" },
  { name: "apparmor", type: "string", help: "AppArmor profile (not supported: refused)" },
  { name: "no-new-privs", type: "boolean", help: "set no_new_privs for the process" },
  {
    name: "cap",
    short: "c",
    type: "string",
    multiple: true,
    value: "CAP",
    help: "add a capability to the process's bounding, effective and permitted sets",
  },
  {
    name: "preserve-fds",
    type: "number",
    value: "N",
    help: "pass N additional file descriptors (3..N+2) to the process",
    default: 0,
  },
  {
    name: "cgroup",
    type: "string",
    multiple: true,
    value: "[CTRL:]PATH",
    help: "run in this sub-cgroup of the container's (per v1 controller with CTRL:)",
  },
  { name: "ignore-paused", type: "boolean", help: "allow exec in a paused container" },
];

async function readProcessFile(path: string): Promise<Process> {
  // Loaded here: zod runs only when a process file is given.
  const { readJsonObject, parseProcess } = await checks();
  const read = readJsonObject(path);
  if (read.problem) throw new Error(`--process ${path}: ${read.problem.message}`);
  const { value, problems } = parseProcess(read.value, read.text);
  const first = problems.find((p) => p.severity === "error");
  if (first || !value) {
    throw new Error(`--process ${path}: ${first?.pointer || "/"}: ${first?.message ?? "invalid"}`);
  }
  return value;
}

async function request(ctx: Context): Promise<ExecRequest> {
  const f = ctx.flags;
  const file = f.process as string | undefined;
  const args = ctx.args.slice(1);
  if (file && args.length) {
    throw new Error("give either --process FILE or a command, not both");
  }
  if (!file && !args.length) throw new Error("a command to run (or --process FILE) is required");
  return {
    process: file ? await readProcessFile(file) : undefined,
    args,
    env: f.env as string[],
    cwd: f.cwd as string | undefined,
    user: f.user as string | undefined,
    additionalGids: f["additional-gids"] as string[],
    caps: f.cap as string[],
    noNewPrivs: f["no-new-privs"] as boolean | undefined,
    tty: f.tty === true,
    apparmor: f.apparmor as string | undefined,
    processLabel: f["process-label"] as string | undefined,
  };
}

const command: Command = {
  def: {
    name: "exec",
    summary: "execute new process inside the container",
    usage: "<container-id> <command> [args...] | -p process.json <container-id>",
    minArgs: 1,
    flagsEndAfter: 1,
    flags,
    description: "Flags go before the container id; everything after the command is its own.",
  },
  async run(ctx) {
    const preserveFds = ctx.flags["preserve-fds"] as number;
    if (preserveFds < 0) throw new CliError(`--preserve-fds ${preserveFds}: must not be negative`);
    try {
      return await execContainer({
        store: storeOf(ctx),
        id: ctx.args[0],
        request: await request(ctx),
        detach: ctx.flags.detach === true,
        pidFile: ctx.flags["pid-file"] as string | undefined,
        consoleSocket: ctx.flags["console-socket"] as string | undefined,
        preserveFds,
        ignorePaused: ctx.flags["ignore-paused"] === true,
        cgroups: ctx.flags.cgroup as string[],
        warn: warner(ctx),
      });
    } catch (e) {
      // runc's convention, which engines parse: "exec failed: ..." and status 255.
      throw new CliError(`exec failed: ${(e as Error).message}`, 255);
    }
  },
};
export default command;
