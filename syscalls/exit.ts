// How a command ends: through exit_group itself once libc is bound, else Deno.exit.
import { libcInUse, sys } from "./libc.ts";
import { syscallNr } from "./nr.ts";

/**
 * Deno.exit(code), but a process that bound libc already makes the exit_group call itself:
 * nothing is left to flush (Deno writes stdout and stderr unbuffered, tsrun registers no unload
 * listener), and Deno.exit's unload event and runtime teardown cost ~0.8 ms (600 runs side by
 * side). Binding libc only for this would cost more (~1.8 ms), so a process that did not exits
 * plainly.
 */
export function exitSoon(code: number): never {
  if (libcInUse()) {
    try {
      sys("exit_group", syscallNr("exit_group"), [code]);
    } catch { /* the plain exit below still happens */ }
  }
  Deno.exit(code);
}
