// `tsrun validate`: every problem of a bundle's config.json in one run.
import type { Command } from "../command.ts";
import { bundleFlag } from "../common.ts";
import { formatProblem, loadBundle, type Problem } from "../../specs/config.ts";

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

const command: Command = {
  def: {
    name: "validate",
    summary: "check a bundle's config.json against the OCI runtime spec",
    usage: "",
    minArgs: 0,
    maxArgs: 0,
    description: `Checks config.json in the bundle directory (the current directory by default):
its JSON structure against runtime-spec 1.2, then what runc would refuse at create (paths,
namespaces, mappings, capabilities, rlimits, sysctls, seccomp...) and what tsrun does not
implement. Prints one line per problem on stdout, "JSON-pointer: message", warnings
prefixed "warning: ", then a summary line. Exits 1 if there is any error, 0 otherwise.
With --json, prints {"valid", "errors", "warnings"} instead.`,
    flags: [
      bundleFlag,
      { name: "json", type: "boolean", help: "print the result as JSON" },
    ],
  },
  run(ctx) {
    const bundle = (ctx.flags.bundle as string | undefined) || ".";
    const { problems } = loadBundle(bundle);
    const errors = problems.filter((p) => p.severity === "error");
    const warnings = problems.filter((p) => p.severity === "warning");
    const strip = ({ pointer, message }: Problem) => ({ pointer, message });
    const lines = ctx.flags.json
      ? [JSON.stringify({
        valid: errors.length === 0,
        errors: errors.map(strip),
        warnings: warnings.map(strip),
      })]
      : [
        ...problems.map((p) => formatProblem(p)),
        problems.length === 0
          ? "config.json: valid"
          : `config.json: ${count(errors.length, "error")}, ${count(warnings.length, "warning")}`,
      ];
    console.log(lines.join("\n"));
    return errors.length > 0 ? 1 : 0;
  },
};

export default command;
