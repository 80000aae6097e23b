// `deno task bundle`: builds the init bundle that tsrun runs from source (.tools/init, see
// runtime/init-bundle.ts). tsrun rebuilds a stale one itself; the install steps build it first
// so no container start pays for it.
import { build } from "../runtime/init-bundle.ts";

build();
