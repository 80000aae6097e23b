// `tsrun validate`: every problem of one or many bundles' config.json in one run, placed at
// their lines and columns, printed for people or for CI.
import type { Command } from "../command.ts";
import { UsageError } from "../args.ts";
import { bundleFlag, warner } from "../common.ts";
import { loadBundle } from "../../specs/bundle.ts";
import { loadRuntimeJson } from "../../specs/linuxkit.ts";
import { findBundles } from "../validate/discover.ts";
import { type BundleReport, type Format, FORMATS, locate, PRINTERS } from "../validate/report.ts";

const command: Command = {
  def: {
    name: "validate",
    summary: "check bundles' config.json against the OCI runtime spec",
    usage: "",
    minArgs: 0,
    maxArgs: 0,
    description: `Checks config.json of each bundle (the current directory when none is given):
its JSON structure against runtime-spec 1.2, then what the kernel would refuse at create
(paths, namespaces, mappings, capabilities, rlimits, sysctls, seccomp...) and what tsrun does
not implement. With --host, also what this machine lacks for the bundle (cgroup controllers
and files, namespaces, ID-mapped mounts, AppArmor/SELinux, seccomp, sysctls), as warnings.
LinuxKit's runtime.json, when a bundle has one, is checked too, its problems placed in it.
Bundles given with --bundle come first, then those --recursive finds, in sorted order.

Formats: text prints "FILE:LINE:COLUMN: JSON-pointer: message" per problem (warnings say
"warning: "), then a summary line per bundle and a total; json prints {"valid", "errors",
"warnings", "bundles"}, each problem with its file, line, column and the runtime-spec section
it falls under; github prints workflow commands (::error file=...,line=...,col=...::) that
annotate the pull request; junit prints JUnit XML, a test case per bundle. Exits 1 if any
bundle has an error, 0 otherwise.`,
    flags: [
      {
        ...bundleFlag,
        multiple: true,
        default: undefined,
        help: "a bundle directory to check (repeatable; default: the current directory)",
      },
      {
        name: "recursive",
        short: "r",
        type: "string",
        multiple: true,
        value: "DIR",
        help: "check every bundle (directory holding a config.json) below DIR",
      },
      {
        name: "format",
        type: "string",
        value: "FORMAT",
        help: `output format: ${FORMATS.join(", ")}`,
      },
      { name: "json", type: "boolean", help: "short for --format json" },
      { name: "host", type: "boolean", help: "also check what this host lacks for each bundle" },
    ],
  },
  async run(ctx) {
    const format = (ctx.flags.format as string | undefined) ?? (ctx.flags.json ? "json" : "text");
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`invalid format "${format}": expected one of ${FORMATS.join(", ")}`);
    }
    if (ctx.flags.json && format !== "json") {
      throw new UsageError(`--json contradicts --format ${format}`);
    }
    const warn = warner(ctx);
    const bundles = [
      ...ctx.flags.bundle as string[],
      ...(ctx.flags.recursive as string[]).flatMap((dir) => findBundles(dir, warn)),
    ];
    if (bundles.length === 0) bundles.push(".");
    // Imported only when asked: it reads the host's cgroups, /proc and /sys.
    const host = ctx.flags.host ? await import("../../runtime/readiness.ts") : undefined;
    const reports: BundleReport[] = bundles.map((bundle) => {
      const loaded = loadBundle(bundle);
      const lacking = host && loaded.config ? host.hostProblems(loaded.config) : [];
      const networkNamespace = loaded.config &&
        (loaded.config.linux?.namespaces ?? []).some((n) => n.type === "network");
      return locate(bundle, loaded, lacking, loadRuntimeJson(bundle, { networkNamespace }));
    });
    console.log(PRINTERS[format as Format](reports));
    return reports.some((r) => r.errors > 0) ? 1 : 0;
  },
};

export default command;
