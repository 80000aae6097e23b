// `run`'s sequence, shared with `onboot`: create and start, then in the foreground wait for the
// container and delete it. Apart from run.ts so that `exec`, which needs only the foreground
// wait, does not load create and delete.
import { SignalForwarder, waitForeground } from "./run.ts";
import { createContainer, type CreateOptions } from "./create.ts";
import { deleteContainer } from "./delete.ts";
import { ociState } from "./inspect.ts";
import { runHooksWarn } from "../hooks.ts";
import { mark } from "../../process/trace.ts";

export interface RunOptions extends Omit<CreateOptions, "detached" | "waitForStart"> {
  /** Return once the container runs, leaving it to `delete`. */
  detach: boolean;
  /** In the foreground, do not delete the container once it exited. */
  keep: boolean;
  warn: (msg: string) => void;
}

/**
 * create + start; in the foreground, waits for the container and deletes it. Returns its exit
 * status (128+N for a signal), 0 when detached.
 */
export async function runContainer(opts: RunOptions): Promise<number> {
  const signals = opts.detach ? undefined : new SignalForwarder();
  try {
    const { state, child, consoleMaster } = await createContainer({
      ...opts,
      detached: opts.detach,
      waitForStart: false,
    });
    await runHooksWarn(
      state.config.hooks?.poststart,
      ociState(state, "running"),
      "poststart",
      opts.warn,
    );
    if (!signals) return 0;
    mark("container running");
    const code = await waitForeground(child, signals, consoleMaster);
    mark("container exited");
    if (!opts.keep) await deleteContainer(opts.store, opts.id, true, opts.warn);
    mark("container deleted");
    return code;
  } finally {
    signals?.stop();
  }
}
