// tsrun run by a private copy of its executable, so that once the test's tsrun calls end nothing
// executes that file and a write reopen is judged by the seal alone (while any process executes
// a file, the kernel answers ETXTBSY first, and this test runner is the same Deno).
import { join } from "node:path";
import { command, type CommandOptions } from "../helpers/command.ts";
import { REPO_ROOT, type RunResult, stateRoot } from "../helpers/mod.ts";

export interface CopiedTsrun {
  /** The copy that every call below executes. */
  exe: string;
  /** `prefix`: a command the call runs through, e.g. strace. */
  run(args: string[], opts?: CommandOptions & { prefix?: string[] }): Promise<RunResult>;
  cleanup(): void;
}

export function copiedTsrun(): CopiedTsrun {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-copy-" });
  const compiled = Deno.env.get("TSRUN_BIN");
  const exe = join(dir, compiled ? "tsrun" : "deno");
  Deno.copyFileSync(compiled ?? Deno.execPath(), exe);
  Deno.chmodSync(exe, 0o755);
  // What scripts/tsrun runs, with the copy in place of the pinned Deno.
  const argv = compiled ? [exe] : [
    exe,
    ...["run", "-A", "--cached-only", "--no-lock", "--quiet", "--no-prompt"],
    ...["--config", join(REPO_ROOT, "deno.json"), join(REPO_ROOT, "main.ts")],
  ];
  return {
    exe,
    run: (args, opts = {}) =>
      command([...opts.prefix ?? [], ...argv, "--root", stateRoot(), ...args], {
        ...opts,
        env: { DENO_DIR: join(REPO_ROOT, ".tools", "deno-dir"), ...opts.env },
      }),
    cleanup: () => Deno.removeSync(dir, { recursive: true }),
  };
}
