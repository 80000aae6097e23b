// The command line: global flags, then one lazily imported command.
import { helpText, parseArgs, UsageError } from "./args.ts";
import { CliError, type Command, type GlobalOptions } from "./command.ts";
import { globalFlags } from "./globals.ts";
import { commands, loadCommand } from "./registry.ts";
import { VERSION } from "../runtime/version.ts";
import { writeLog } from "./log.ts";
import { allMarks, enableTrace, mark } from "../process/trace.ts";
import { setDebugSink } from "../syscalls/debug.ts";
import { errorLine } from "./errors.ts";
import { defaultStateRoot } from "../runtime/state/root.ts";
import { isHostRoot } from "../runtime/caller.ts";
import { print } from "./output.ts";

const PROGRAM = "tsrun";

function usage(): string {
  const names = Object.entries(commands).filter(([, e]) => !e.hidden);
  const width = Math.max(...names.map(([n]) => n.length)) + 3;
  return [
    `${PROGRAM} - an OCI container runtime`,
    "",
    "USAGE:",
    `   ${PROGRAM} [global options] command [command options] [arguments...]`,
    "",
    "COMMANDS:",
    ...names.map(([n, e]) => `   ${n.padEnd(width)}${e.summary}`),
    `   ${"help".padEnd(width)}shows a list of commands or help for one command`,
    "",
    "GLOBAL OPTIONS:",
    ...globalFlags.map((f) =>
      `   --${f.name}${f.type === "boolean" ? "" : " " + (f.value ?? "value")}`.padEnd(34) + f.help
    ),
    "",
  ].join("\n");
}

function toGlobal(flags: Record<string, unknown>): GlobalOptions {
  const logFormat = flags["log-format"];
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`invalid log-format "${logFormat}": expected text or json`);
  }
  const rootless = String(flags.rootless);
  if (!["true", "false", "auto"].includes(rootless)) {
    throw new UsageError(`invalid rootless value "${rootless}": expected true, false or auto`);
  }
  const root = flags.root as string | undefined;
  return {
    root: root ?? defaultStateRoot(),
    defaultRoot: root === undefined,
    log: flags.log as string | undefined,
    logFormat,
    debug: flags.debug === true,
    systemdCgroup: flags["systemd-cgroup"] === true,
    rootless: rootless === "auto" ? !isHostRoot() : rootless === "true",
    criu: flags.criu as string | undefined,
  };
}

/** A --debug line from below the CLI, in the shape of --log's text lines. */
function debugToStderr(msg: string): void {
  const time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const line = `time="${time}" level=debug msg=${JSON.stringify(msg)}\n`;
  Deno.stderr.writeSync(new TextEncoder().encode(line));
}

/** `load` gets a command's module: lazily from source, or from a bundle (cli/bundled.ts). */
export async function cli(
  argv: string[],
  load: (name: string) => Promise<Command> = loadCommand,
): Promise<number> {
  let global: GlobalOptions | undefined;
  try {
    const g = parseArgs(globalFlags, argv, { stopAtPositional: true });
    global = toGlobal(g.flags);
    if (global.debug) {
      setDebugSink(debugToStderr);
      enableTrace();
      mark("tsrun started", Math.round(performance.timeOrigin));
      mark("command line parsed");
    }
    if (g.flags.version) {
      print(`${PROGRAM} version ${VERSION}\nspec: 1.2.0\n`);
      return 0;
    }
    let [name, ...rest] = g.args;
    if (g.flags.help || name === undefined) {
      print(usage());
      return name === undefined && !g.flags.help ? 1 : 0;
    }
    let wantHelp = false;
    if (name === "help" || name === "h") {
      if (rest.length === 0) {
        print(usage());
        return 0;
      }
      [name, wantHelp] = [rest[0], true];
      rest = [];
    }
    const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!entry) throw new UsageError(`no such command: ${name} (see '${PROGRAM} help')`);
    const cmd = await load(name);
    if (wantHelp || rest.includes("--help") || rest.includes("-h")) {
      const helpIdx = Math.max(rest.indexOf("--help"), rest.indexOf("-h"));
      // `exec ID sh -h` passes -h to the container process, not to us.
      const flagsEnd = cmd.def.flagsEndAfter;
      const positionalsBefore = rest.slice(0, helpIdx).filter((a) => !a.startsWith("-")).length;
      if (wantHelp || flagsEnd === undefined || positionalsBefore < flagsEnd) {
        print(helpText(PROGRAM, cmd.def));
        return 0;
      }
    }
    const parsed = parseArgs(cmd.def.flags, rest, { flagsEndAfter: cmd.def.flagsEndAfter });
    const { minArgs, maxArgs } = cmd.def;
    if (parsed.args.length < minArgs || (maxArgs !== undefined && parsed.args.length > maxArgs)) {
      const want = maxArgs === minArgs
        ? `exactly ${minArgs}`
        : maxArgs === undefined
        ? `at least ${minArgs}`
        : `${minArgs} to ${maxArgs}`;
      throw new UsageError(
        `"${PROGRAM} ${name}" requires ${want} argument(s): ${PROGRAM} ${name} ${cmd.def.usage}`,
      );
    }
    mark("command loaded");
    return await cmd.run({ global, flags: parsed.flags, args: parsed.args });
  } catch (err) {
    const msg = errorLine(err);
    const code = err instanceof CliError ? err.exitCode : 1;
    if (global?.debug && err instanceof Error && !(err instanceof CliError)) {
      console.error(err.stack);
    }
    Deno.stderr.writeSync(new TextEncoder().encode(`${PROGRAM}: ${msg}\n`));
    if (global) {
      try {
        writeLog(global, "error", msg);
      } catch { /* the log is best effort: the error is on stderr already */ }
    }
    return code;
  } finally {
    for (const [label, at] of allMarks()) {
      Deno.stderr.writeSync(new TextEncoder().encode(`${PROGRAM}: debug: trace ${at} ${label}\n`));
    }
  }
}
