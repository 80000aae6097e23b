// The OCI hooks the runtime's commands run on the host (process/hooks.ts), whose spawn code is a
// part (runtime/parts.ts): loaded only for a container that has hooks of the phase at hand.
import type * as Hooks from "../process/hooks.ts";
import { hooks as part } from "./parts.ts";

export async function runHooks(...a: Parameters<typeof Hooks.runHooks>): Promise<void> {
  if (a[0]?.length) await (await part()).runHooks(...a);
}

/** For poststart and poststop: a failing hook is a warning and the others still run. */
export async function runHooksWarn(...a: Parameters<typeof Hooks.runHooksWarn>): Promise<void> {
  if (a[0]?.length) await (await part()).runHooksWarn(...a);
}
