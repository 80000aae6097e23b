// `pause`: freeze every process of the container through its cgroup's freezer.
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { loadContainer } from "./load.ts";

export function pauseContainer(store: Store, id: string): void {
  store.lock(id);
  const c = loadContainer(store, id);
  assertCan("pause", c.status, id);
  c.cgroup().freeze();
}
