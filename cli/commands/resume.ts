import type { Command } from "../command.ts";
import { idArg, storeOf } from "../common.ts";
import { resumeContainer } from "../../runtime/container/resume.ts";

const command: Command = {
  def: {
    name: "resume",
    summary: "resumes all processes that have been previously paused",
    ...idArg,
    flags: [],
  },
  run(ctx) {
    resumeContainer(storeOf(ctx), ctx.args[0]);
    return 0;
  },
};
export default command;
