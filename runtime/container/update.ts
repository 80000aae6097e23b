// `update`: new resource limits applied to the live cgroup, then kept in the stored config so a
// later update (or anything reading the config) starts from them.
import type { LinuxResources } from "../../specs/resources.ts";
import type { Store } from "../state/store.ts";
import { assertCan } from "../state/status.ts";
import { loadContainer } from "./load.ts";
import { reopenDriver } from "../cgroups/driver.ts";

/** `patch` holds only the fields to change; everything else keeps its value. */
export async function updateContainer(
  store: Store,
  id: string,
  patch: LinuxResources,
): Promise<void> {
  store.lock(id);
  const c = loadContainer(store, id);
  assertCan("update", c.status, id);
  // Device rules are not changed on a live container (runc skips them too): on v1 rewriting
  // them starts from "deny all", which running processes would notice.
  const live: LinuxResources = { ...patch, devices: undefined };
  (await reopenDriver(id, c.stored.cgroup, { initPid: c.initPid })).set(live);
  const config = c.stored.config;
  const resources = overlay(config.linux?.resources ?? {}, live);
  store.write({ ...c.stored, config: { ...config, linux: { ...config.linux, resources } } });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `patch` laid over `base` key by key; lists are replaced whole, undefined changes nothing. */
function overlay<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = overlay(base[k], v);
  return out as T;
}
