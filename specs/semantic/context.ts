// What every semantic check receives, and the namespace lookups most of them need.
import type { Config } from "../schema/config.ts";
import type { NamespaceType } from "../namespaces.ts";
import type { Problem } from "../problem.ts";

export interface CheckContext {
  /** Bundle directory: relative root.path and bind-mount sources resolve against it. */
  bundleDir: string;
}

export type Check = (config: Config, ctx: CheckContext) => Problem[];

/** True when the container gets (creates or joins) a namespace of this type. */
export function hasNamespace(config: Config, type: NamespaceType): boolean {
  return config.linux?.namespaces?.some((ns) => ns.type === type) ?? false;
}

/** The path of a joined namespace of this type ("" when the type is absent or created). */
export function namespacePath(config: Config, type: NamespaceType): string {
  return config.linux?.namespaces?.find((ns) => ns.type === type)?.path ?? "";
}
