// `tsrun spec`: write a starting config.json into a bundle, like `runc spec`.
import { CliError, type Command } from "../command.ts";
import { bundleFlag } from "../common.ts";
import { defaultSpec } from "../../specs/default-spec.ts";

/** runc adds a cgroup namespace only where cgroup v2 is mounted unified at /sys/fs/cgroup. */
function cgroup2Unified(): boolean {
  try {
    return Deno.statSync("/sys/fs/cgroup/cgroup.controllers").isFile;
  } catch {
    return false;
  }
}

const command: Command = {
  def: {
    name: "spec",
    summary: "create a new specification file",
    usage: "",
    minArgs: 0,
    maxArgs: 0,
    description: `Writes config.json, an example runtime-spec configuration, into the bundle
directory (the current directory by default). It runs "sh" from the bundle's rootfs/
directory, which you fill with a root filesystem (for example a static busybox).
An existing config.json is never overwritten. With --rootless the config maps the calling
user to root in a user namespace, for containers started without root privileges.`,
    flags: [
      bundleFlag,
      {
        name: "rootless",
        type: "boolean",
        help: "generate a configuration for a rootless container",
      },
    ],
  },
  run(ctx) {
    const bundle = (ctx.flags.bundle as string | undefined) || ".";
    const path = `${bundle.replace(/\/+$/, "") || "/"}/config.json`;
    const config = defaultSpec({
      cgroupNamespace: cgroup2Unified(),
      rootless: ctx.flags.rootless ? { uid: Deno.uid()!, gid: Deno.gid()! } : undefined,
    });
    const text = JSON.stringify(config, null, "\t") + "\n";
    try {
      // createNew: never replace a config someone wrote, even if it appears meanwhile.
      Deno.writeTextFileSync(path, text, { createNew: true, mode: 0o666 });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) {
        throw new CliError(`${path} already exists: remove it first`);
      }
      if (e instanceof Deno.errors.NotFound) {
        throw new CliError(`bundle directory ${bundle} does not exist`);
      }
      throw new CliError(`cannot write ${path}: ${e instanceof Error ? e.message : e}`);
    }
    return 0;
  },
};

export default command;
