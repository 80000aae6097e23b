import type { Command } from "../command.ts";
import { bundleDir, createFlags, idArg, loadConfig, storeOf, warner } from "../common.ts";
import { runContainer } from "../../runtime/container/run-container.ts";

const command: Command = {
  def: {
    name: "run",
    summary: "create and run a container",
    ...idArg,
    flags: [
      ...createFlags,
      { name: "detach", short: "d", type: "boolean", help: "detach from the container's process" },
      { name: "keep", type: "boolean", help: "do not delete the container after it exits" },
      {
        name: "no-subreaper",
        type: "boolean",
        help: "accepted for runc compatibility (tsrun never needs a subreaper)",
      },
    ],
  },
  run(ctx) {
    return runContainer({
      id: ctx.args[0],
      bundle: bundleDir(ctx),
      loadConfig,
      store: storeOf(ctx),
      pidFile: ctx.flags["pid-file"] as string | undefined,
      consoleSocket: ctx.flags["console-socket"] as string | undefined,
      noPivot: ctx.flags["no-pivot"] === true,
      noNewKeyring: ctx.flags["no-new-keyring"] === true,
      preserveFds: ctx.flags["preserve-fds"] as number,
      rootless: ctx.global.rootless,
      systemdCgroup: ctx.global.systemdCgroup,
      detach: ctx.flags.detach === true,
      keep: ctx.flags.keep === true,
      warn: warner(ctx),
    });
  },
};
export default command;
