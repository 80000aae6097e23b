import type { Command } from "../command.ts";
import { bundleDir, createFlags, idArg, loadConfig, storeOf, warner } from "../common.ts";
import { createContainer } from "../../runtime/container/create.ts";
import { SignalForwarder, waitForeground } from "../../runtime/container/run.ts";
import { deleteContainer } from "../../runtime/container/delete.ts";
import { ociState } from "../../runtime/container/inspect.ts";
import { runHooksWarn } from "../../process/hooks.ts";
import { mark } from "../../process/trace.ts";

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
  async run(ctx) {
    const bundle = bundleDir(ctx);
    const store = storeOf(ctx);
    const warn = warner(ctx);
    const id = ctx.args[0];
    const signals = ctx.flags.detach ? undefined : new SignalForwarder();
    const { state, child, consoleMaster } = await createContainer({
      id,
      bundle,
      loadConfig,
      store,
      pidFile: ctx.flags["pid-file"] as string | undefined,
      consoleSocket: ctx.flags["console-socket"] as string | undefined,
      detached: ctx.flags.detach === true,
      noPivot: ctx.flags["no-pivot"] === true,
      noNewKeyring: ctx.flags["no-new-keyring"] === true,
      preserveFds: ctx.flags["preserve-fds"] as number,
      waitForStart: false,
      rootless: ctx.global.rootless,
      systemdCgroup: ctx.global.systemdCgroup,
    });
    await runHooksWarn(
      state.config.hooks?.poststart,
      ociState(state, "running"),
      "poststart",
      warn,
    );
    if (!signals) return 0;
    mark("container running");
    const code = await waitForeground(child, signals, consoleMaster);
    mark("container exited");
    if (!ctx.flags.keep) await deleteContainer(store, id, true, warn);
    mark("container deleted");
    return code;
  },
};
export default command;
