// `tsrun onboot DIR`: LinuxKit's onboot/onshutdown runner. Every subdirectory of DIR, in lexical
// order, is a bundle run to its end (create with its runtime.json, start, wait, delete) under
// the directory's name as container id; a failure does not stop the ones after it.
import type { Command } from "../command.ts";
import { CliError } from "../command.ts";
import { loadConfig, storeOf, warner } from "../common.ts";
import { writeLog } from "../log.ts";
import { errorLine } from "../errors.ts";
import { runContainer } from "../../runtime/container/run-container.ts";
import { O_CLOEXEC, O_CREAT, O_TRUNC, O_WRONLY, openFd } from "../../syscalls/libc.ts";
import { closeFd } from "../../syscalls/socket.ts";

const command: Command = {
  def: {
    name: "onboot",
    summary: "run every bundle in a directory to its end, in order (LinuxKit's onboot)",
    usage: "<dir>",
    minArgs: 1,
    maxArgs: 1,
    description: `Each subdirectory of DIR, in lexical order, is a bundle (config.json, and
LinuxKit's runtime.json when present); the container id is the subdirectory's name. Each one
is created, started, waited for and deleted before the next; its stdout and stderr are tsrun's
(or LOGDIR/NAME.log with --log-dir LOGDIR). One line per container on stderr: its name, exit status and
time. Goes on after a failure; exits 1 if any container failed or exited non-zero, 0 otherwise
(also when DIR does not exist).`,
    flags: [{
      name: "log-dir",
      type: "string",
      value: "LOGDIR",
      help: "write each container's stdout and stderr to LOGDIR/NAME.log",
    }],
  },
  async run(ctx) {
    const dir = ctx.args[0];
    const logDir = ctx.flags["log-dir"] as string | undefined;
    const names = bundles(dir);
    if (names.length && logDir) Deno.mkdirSync(logDir, { recursive: true });
    const store = storeOf(ctx);
    const warn = warner(ctx);
    let failed = 0;
    for (const name of names) {
      const started = performance.now();
      let output: number | undefined;
      let outcome: string;
      try {
        if (logDir) output = openLog(`${logDir}/${name}.log`);
        const code = await runContainer({
          id: name,
          bundle: Deno.realPathSync(`${dir}/${name}`),
          loadConfig,
          store,
          noPivot: false,
          noNewKeyring: false,
          preserveFds: 0,
          rootless: ctx.global.rootless,
          output,
          detach: false,
          keep: false,
          warn,
        });
        if (code !== 0) failed++;
        outcome = `exit ${code}`;
      } catch (e) {
        failed++;
        outcome = `failed: ${errorLine(e)}`;
        writeLog(ctx.global, "error", `onboot ${name}: ${errorLine(e)}`);
      } finally {
        if (output !== undefined) closeFd(output);
      }
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      Deno.stderr.writeSync(
        new TextEncoder().encode(`onboot: ${name}: ${outcome} (${seconds} s)\n`),
      );
    }
    return failed ? 1 : 0;
  },
};

/** The subdirectories of `dir` (symlinks to directories too), sorted; none if it is missing. */
function bundles(dir: string): string[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw new CliError(`${dir}: ${(e as Error).message}`);
  }
  const isDir = (name: string) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isDirectory;
    } catch {
      return false;
    }
  };
  return entries.map((e) => e.name).filter(isDir).sort();
}

function openLog(path: string): number {
  try {
    return openFd(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644);
  } catch (e) {
    throw new CliError(`--log-dir: ${(e as Error).message}`);
  }
}

export default command;
