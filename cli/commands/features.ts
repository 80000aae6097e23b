// `tsrun features`: what this build implements, as the runtime-spec's features JSON.
import type { Command } from "../command.ts";
import { features } from "../../specs/implemented.ts";
import { VERSION } from "../../runtime/version.ts";

const command: Command = {
  def: {
    name: "features",
    summary: "show the enabled features",
    usage: "",
    minArgs: 0,
    maxArgs: 0,
    description: `Prints the features JSON of the runtime-spec (features.md): what this tsrun
implements, independent of what the host supports.`,
    flags: [],
  },
  run() {
    console.log(
      JSON.stringify({ ...features(), annotations: { "tsrun.version": VERSION } }, null, 4),
    );
    return 0;
  },
};

export default command;
