import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseArgs, UsageError } from "../../cli/args.ts";
import { globalFlags } from "../../cli/globals.ts";
import { createFlags } from "../../cli/common.ts";

Deno.test("global flags stop at the subcommand, in both --flag value and --flag=value", () => {
  const p = parseArgs(globalFlags, [
    "--root",
    "/r",
    "--log-format=json",
    "create",
    "--bundle",
    "b",
    "x",
  ], {
    stopAtPositional: true,
  });
  assertEquals(p.flags.root, "/r");
  assertEquals(p.flags["log-format"], "json");
  assertEquals(p.args, ["create", "--bundle", "b", "x"]);
});

Deno.test("short, single-dash long, boolean=value and number flags", () => {
  const p = parseArgs(createFlags, [
    "-b",
    "dir",
    "-pid-file",
    "p",
    "--no-pivot=false",
    "--preserve-fds=2",
    "id",
  ]);
  assertEquals(p.flags.bundle, "dir");
  assertEquals(p.flags["pid-file"], "p");
  assertEquals(p.flags["no-pivot"], false);
  assertEquals(p.flags["preserve-fds"], 2);
  assertEquals(p.args, ["id"]);
});

Deno.test("unknown flags, missing values and bad numbers are usage errors", () => {
  throws(
    () => parseArgs(createFlags, ["--nope", "id"]),
    (e: Error) => e instanceof UsageError && e.message.includes("-nope"),
  );
  throws(
    () => parseArgs(createFlags, ["id", "--bundle"]),
    (e: Error) => e instanceof UsageError && e.message.includes("needs an argument"),
  );
  throws(
    () => parseArgs(createFlags, ["--preserve-fds", "x", "id"]),
    (e: Error) => e instanceof UsageError && e.message.includes("invalid value"),
  );
});

Deno.test("flagsEndAfter passes the rest untouched (exec ID CMD --flag)", () => {
  const p = parseArgs(createFlags, ["--bundle", "b", "id", "sh", "-c", "--bundle"], {
    flagsEndAfter: 1,
  });
  assertEquals(p.args, ["id", "sh", "-c", "--bundle"]);
});
