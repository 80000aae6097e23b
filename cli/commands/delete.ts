import type { Command } from "../command.ts";
import { idArg, storeOf, warner } from "../common.ts";
import { deleteContainer } from "../../runtime/container/delete.ts";
import { validateId } from "../../runtime/state/store.ts";

const command: Command = {
  def: {
    name: "delete",
    summary: "delete any resources held by the container often used with detached container",
    ...idArg,
    flags: [{
      name: "force",
      short: "f",
      type: "boolean",
      help: "forcibly delete the container if it is still running (uses SIGKILL)",
    }],
  },
  async run(ctx) {
    const [id] = ctx.args;
    const store = storeOf(ctx);
    const force = ctx.flags.force === true;
    validateId(id);
    // runc: `delete --force` of a container that does not exist succeeds.
    if (force && !store.ids().includes(id)) return 0;
    await deleteContainer(store, id, force, warner(ctx));
    return 0;
  },
};
export default command;
