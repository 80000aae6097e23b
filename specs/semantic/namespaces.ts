// linux.namespaces (config-linux.md#namespaces) and what depends on them: user namespace
// mappings, time offsets, and the fields that only make sense inside a mount namespace.
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { Config } from "../schema/config.ts";
import { type Check, hasNamespace, namespacePath } from "./context.ts";
import { checkIdMappings } from "./id-mappings.ts";
import { absolutePath, hostStat } from "./paths.ts";

export const checkNamespaces: Check = (config) => {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  config.linux?.namespaces?.forEach((ns, i) => {
    const first = seen.get(ns.type);
    if (first !== undefined) {
      out.push(
        error(
          pointer("linux", "namespaces", i, "type"),
          `${ns.type} is already listed at /linux/namespaces/${first}`,
        ),
      );
    } else seen.set(ns.type, i);
    if (ns.path === undefined || ns.path === "") return;
    const ptr = pointer("linux", "namespaces", i, "path");
    const bad = absolutePath(ns.path, ptr, "namespace path");
    out.push(...bad);
    const st = bad.length === 0 ? hostStat(ns.path) : undefined;
    if (typeof st === "string") out.push(error(ptr, `${ns.path} ${st}`));
  });
  out.push(...checkUserNamespace(config), ...checkTimeNamespace(config));
  if (!hasNamespace(config, "mount")) {
    for (const key of ["maskedPaths", "readonlyPaths"] as const) {
      if (config.linux?.[key]?.length) {
        out.push(error(`/linux/${key}`, "needs a mount namespace in linux.namespaces"));
      }
    }
    if (config.mounts?.length) {
      out.push(
        warning("/mounts", "without a mount namespace these would change the host's mounts"),
      );
    }
  }
  if (!hasNamespace(config, "user")) {
    config.mounts?.forEach((m, i) => {
      const idmap = m.options?.some((o) => o === "idmap" || o === "ridmap");
      if (idmap && m.uidMappings === undefined && m.gidMappings === undefined) {
        const ptr = pointer("mounts", i, "options");
        out.push(error(ptr, "idmap needs uidMappings/gidMappings or a user namespace"));
      }
    });
  }
  return out;
};

function checkUserNamespace(config: Config): Problem[] {
  const linux = config.linux;
  const out = [
    ...checkIdMappings(linux?.uidMappings, "/linux/uidMappings"),
    ...checkIdMappings(linux?.gidMappings, "/linux/gidMappings"),
  ];
  const hasUid = linux?.uidMappings !== undefined;
  const hasGid = linux?.gidMappings !== undefined;
  if (!hasNamespace(config, "user")) {
    if (hasUid || hasGid) {
      const key = hasUid ? "uidMappings" : "gidMappings";
      out.push(error(`/linux/${key}`, "ID mappings need a user namespace in linux.namespaces"));
    }
    return out;
  }
  if (namespacePath(config, "user") !== "") {
    if (hasUid || hasGid) {
      const key = hasUid ? "uidMappings" : "gidMappings";
      out.push(warning(`/linux/${key}`, "ignored: the user namespace is joined, not created"));
    }
  } else if (!hasUid && !hasGid) {
    out.push(error("/linux", "a new user namespace needs uidMappings and gidMappings"));
  } else if (!hasUid || !hasGid) {
    const missing = hasUid ? "gidMappings" : "uidMappings";
    out.push(error(`/linux/${missing}`, "required with the other mapping in a new user namespace"));
  }
  return out;
}

function checkTimeNamespace(config: Config): Problem[] {
  if (!config.linux?.timeOffsets) return [];
  if (!hasNamespace(config, "time")) {
    return [error("/linux/timeOffsets", "needs a time namespace in linux.namespaces")];
  }
  if (namespacePath(config, "time") !== "") {
    return [error("/linux/timeOffsets", "cannot apply to a joined time namespace")];
  }
  return [];
}
