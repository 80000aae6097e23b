// tsrun entry point. The hidden `init` subcommand runs inside the container's namespaces and
// must start fast, so it is dispatched before any CLI code is loaded. The specifiers are computed:
// from source, Deno would otherwise prefetch both module graphs on every start.
const entry = Deno.args[0] === "init" ? "./init/main.ts" : "./cli/main.ts";
const mod = await import(new URL(entry, import.meta.url).href);
if (Deno.args[0] === "init") await mod.initMain();
else {
  const { exitSoon } = await import("./syscalls/spawn/exit.ts");
  exitSoon(await mod.cli(Deno.args));
}
