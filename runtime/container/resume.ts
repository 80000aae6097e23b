// `resume`: thaw a paused container's cgroup.
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { loadContainer } from "./load.ts";

export function resumeContainer(store: Store, id: string): void {
  store.lock(id);
  const c = loadContainer(store, id);
  assertCan("resume", c.status, id);
  c.cgroup().thaw();
}
