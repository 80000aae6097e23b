// How to start tsrun's own hidden `init` subcommand: `/proc/self/exe init` when compiled, the
// same main.ts through the pinned Deno when run from source (scripts/tsrun).
export interface InitCommand {
  path: string;
  argv: string[];
  env: string[];
}

export function initCommand(pipeEnv: string): InitCommand {
  const exe = Deno.execPath();
  const main = new URL("../main.ts", import.meta.url);
  const compiled = main.protocol !== "file:" || main.pathname.includes("/deno-compile-");
  if (compiled) return { path: exe, argv: ["tsrun", "init"], env: [pipeEnv] };
  const env = [pipeEnv, "DENO_NO_UPDATE_CHECK=1", "NO_COLOR=1"];
  const denoDir = Deno.env.get("DENO_DIR");
  if (denoDir) env.push(`DENO_DIR=${denoDir}`);
  return {
    path: exe,
    // init imports no npm package: skip config and lock resolution to start faster.
    argv: [
      "deno",
      "run",
      "-A",
      "--no-config",
      "--no-lock",
      "--cached-only",
      "--quiet",
      main.pathname,
      "init",
    ],
    env,
  };
}
