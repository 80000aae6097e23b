// mounts[] (config.md#mounts): destinations, bind sources, option combinations and ID-mapped
// mounts, judged the way runc judges them. What depends on namespaces is in namespaces.ts.
import { isBind, isKnownMountOption, PROPAGATION_OPTIONS } from "../mount-options.ts";
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { Mount } from "../schema/mount.ts";
import type { Check } from "./context.ts";
import { checkIdMappings } from "./id-mappings.ts";
import { hostStat, inBundle } from "./paths.ts";

const propagation = new Set<string>(PROPAGATION_OPTIONS);

export const checkMounts: Check = (config, { bundleDir }) => {
  const out: Problem[] = [];
  const seen = new Map<string, number>();
  config.mounts?.forEach((m, i) => {
    const ptr = (...rest: PropertyKey[]) => pointer("mounts", i, ...rest);
    out.push(...checkDestination(m, ptr("destination")));
    const dest = normalize(m.destination);
    const first = seen.get(dest);
    if (first !== undefined) {
      out.push(
        warning(
          ptr("destination"),
          `${dest} is also mounted by /mounts/${first}, which this hides`,
        ),
      );
    }
    seen.set(dest, i);
    const options = m.options ?? [];
    // runc (and init/plan.ts) bind-mount for type "bind" even without the option.
    const bind = isBind(options) || m.type === "bind";
    if (bind) out.push(...checkBindSource(m, bundleDir, ptr("source")));
    else if (!m.type) {
      out.push(error(ptr("type"), "required unless the options include bind or rbind"));
    }
    if (m.type === "bind" && !isBind(options)) {
      out.push(
        warning(ptr("type"), `"bind" without "bind" or "rbind" in the options: a bind mount`),
      );
    }
    const data = options.filter((o) => !isKnownMountOption(o));
    if (bind && data.length > 0) {
      // The kernel ignores filesystem data on a bind mount, as runc does: say so, don't refuse.
      out.push(
        warning(ptr("options"), `ignored on a bind mount: ${data.join(", ")}`),
      );
    }
    const props = options.filter((o) => propagation.has(o));
    if (new Set(props).size > 1) {
      out.push(warning(ptr("options"), `conflicting propagation options: ${props.join(", ")}`));
    }
    out.push(...checkIdMapped(m, bind, ptr));
  });
  return out;
};

function checkDestination(m: Mount, ptr: string): Problem[] {
  const d = m.destination;
  if (d === "") return [error(ptr, "must not be empty")];
  if (d.includes("\0")) return [error(ptr, "contains a NUL byte")];
  if (!d.startsWith("/")) {
    return [warning(ptr, `"${d}" is relative, which is deprecated: it is taken as /${d}`)];
  }
  return [];
}

function normalize(p: string): string {
  return "/" + p.split("/").filter((c) => c !== "" && c !== ".").join("/");
}

function checkBindSource(m: Mount, bundleDir: string, ptr: string): Problem[] {
  if (!m.source) return [error(ptr, "a bind mount needs a source")];
  if (m.source.includes("\0")) return [error(ptr, "contains a NUL byte")];
  const full = inBundle(bundleDir, m.source);
  const st = hostStat(full);
  return typeof st === "string" ? [error(ptr, `${full} ${st}`)] : [];
}

function checkIdMapped(
  m: Mount,
  bind: boolean,
  ptr: (...rest: PropertyKey[]) => string,
): Problem[] {
  const out: Problem[] = [];
  const idmapOption = m.options?.some((o) => o === "idmap" || o === "ridmap") ?? false;
  const hasMaps = m.uidMappings !== undefined || m.gidMappings !== undefined;
  if ((m.uidMappings === undefined) !== (m.gidMappings === undefined)) {
    const missing = m.uidMappings === undefined ? "uidMappings" : "gidMappings";
    out.push(error(ptr(missing), "uidMappings and gidMappings must be given together"));
  }
  if (hasMaps && !idmapOption) {
    out.push(warning(ptr("options"), "has ID mappings but no idmap or ridmap option"));
  }
  if ((idmapOption || hasMaps) && !bind) {
    out.push(error(ptr("options"), "ID-mapped mounts must be bind mounts"));
  }
  out.push(...checkIdMappings(m.uidMappings, ptr("uidMappings")));
  out.push(...checkIdMappings(m.gidMappings, ptr("gidMappings")));
  return out;
}
