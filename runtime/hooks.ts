// The OCI hooks the runtime's commands run on the host (process/hooks.ts), whose spawn code is a
// part (runtime/parts.ts): loaded only for a container that has hooks of the phase at hand.
import type { Hook } from "../specs/schema/hooks.ts";
import { hooks as part } from "./parts.ts";

export async function runHooks(
  hooks: readonly Hook[] | undefined,
  state: unknown,
  phase: string,
): Promise<void> {
  if (hooks?.length) await (await part()).runHooks(hooks, state, phase);
}

/** For poststart and poststop: a failing hook is a warning and the others still run. */
export async function runHooksWarn(
  hooks: readonly Hook[] | undefined,
  state: unknown,
  phase: string,
  warn: (msg: string) => void,
): Promise<void> {
  if (hooks?.length) await (await part()).runHooksWarn(hooks, state, phase, warn);
}
