import type { Command } from "../command.ts";
import { bundleDir, createFlags, idArg, loadConfig, storeOf } from "../common.ts";
import { createContainer } from "../../runtime/container/create.ts";

const command: Command = {
  def: {
    name: "create",
    summary: "create a container",
    ...idArg,
    flags: createFlags,
    description: "The container's init waits until `tsrun start` releases it.",
  },
  async run(ctx) {
    const bundle = bundleDir(ctx);
    await createContainer({
      id: ctx.args[0],
      bundle,
      loadConfig,
      store: storeOf(ctx),
      pidFile: ctx.flags["pid-file"] as string | undefined,
      consoleSocket: ctx.flags["console-socket"] as string | undefined,
      detached: true,
      noPivot: ctx.flags["no-pivot"] === true,
      noNewKeyring: ctx.flags["no-new-keyring"] === true,
      preserveFds: ctx.flags["preserve-fds"] as number,
      waitForStart: true,
      rootless: ctx.global.rootless,
      systemdCgroup: ctx.global.systemdCgroup,
    });
    return 0;
  },
};
export default command;
