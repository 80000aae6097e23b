// tsrun entry point. The hidden `init` subcommand runs inside the container's namespaces and
// must start fast, so it is dispatched before any CLI code is loaded.
if (Deno.args[0] === "init") {
  const { initMain } = await import("./init/main.ts");
  await initMain();
} else {
  const { cli } = await import("./cli/main.ts");
  Deno.exit(await cli(Deno.args));
}
