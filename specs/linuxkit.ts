// LinuxKit's runtime.json, kept beside config.json: what runc cannot do and LinuxKit's `service`
// tool does around it (mounts, directories and cgroups to prepare, network interfaces to create
// or move in, namespaces to bind-mount). Read and checked like config.json: every finding is a
// Problem with a JSON pointer into runtime.json, never an exception.
import * as z from "zod";
import { readJsonObject } from "./json-file.ts";
import { error, pointer, type Problem } from "./problem.ts";
import { object, strings } from "./primitives.ts";
import { MountSchema } from "./schema/mount.ts";
import { checkKeys } from "./unknown-keys.ts";
import { parseWith } from "./zod-problems.ts";
import { EXTENSION_OPTIONS, RECURSIVE_OPTIONS } from "./mount-options.ts";
import { invalidName } from "./semantic/net-devices.ts";
import { BIND_NS_TYPES, hasRuntimeJson, linkKind, RUNTIME_JSON } from "./runtime-json-file.ts";

const InterfaceSchema = object({
  name: z.string().optional(),
  add: z.string().optional(),
  peer: z.string().optional(),
  createInRoot: z.boolean().optional(),
});

export const RuntimeJsonSchema = object({
  mounts: z.array(MountSchema).optional(),
  mkdir: strings.optional(),
  cgroups: strings.optional(),
  interfaces: z.array(InterfaceSchema).optional(),
  bindNS: object(Object.fromEntries(BIND_NS_TYPES.map((t) => [t, z.string().optional()])))
    .optional(),
  /** The containerd namespace of a LinuxKit service: accepted, ignored. */
  namespace: z.string().optional(),
});

export type RuntimeJson = z.infer<typeof RuntimeJsonSchema>;
export type RuntimeInterface = z.infer<typeof InterfaceSchema>;

export interface RuntimeContext {
  /** Whether config.json gives the container a network namespace (undefined: unknown). */
  networkNamespace?: boolean;
}

/** Words a single mount(2) cannot express: they need mount_setattr or tsrun's own handling. */
const NOT_MOUNT_FLAGS = new Set<string>([...RECURSIVE_OPTIONS, ...EXTENSION_OPTIONS]);

function checkMounts(r: RuntimeJson): Problem[] {
  const out: Problem[] = [];
  (r.mounts ?? []).forEach((m, i) => {
    const at = (...rest: PropertyKey[]) => pointer("mounts", i, ...rest);
    if (m.destination === "") out.push(error(at("destination"), "must not be empty"));
    for (const key of ["uidMappings", "gidMappings"] as const) {
      if (m[key]) out.push(error(at(key), "ID-mapped mounts are not supported in runtime.json"));
    }
    (m.options ?? []).forEach((o, j) => {
      if (NOT_MOUNT_FLAGS.has(o)) {
        out.push(error(at("options", j), `"${o}" is not a mount(2) flag`));
      }
      const dir = /^(upperdir|workdir)=(.*)$/.exec(o);
      if (dir && !dir[2].startsWith("/")) {
        out.push(error(at("options", j), `${dir[1]} must be an absolute path, got "${dir[2]}"`));
      }
    });
  });
  return out;
}

function checkPaths(r: RuntimeJson): Problem[] {
  const out: Problem[] = [];
  (r.mkdir ?? []).forEach((d, i) => {
    if (d === "") out.push(error(pointer("mkdir", i), "must not be empty"));
  });
  (r.cgroups ?? []).forEach((c, i) => {
    const parts = c.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.length === 0) out.push(error(pointer("cgroups", i), "must name a cgroup"));
    else if (parts.includes("..")) {
      out.push(error(pointer("cgroups", i), `"${c}" leads out of the cgroup root`));
    }
  });
  for (const [type, path] of Object.entries(r.bindNS ?? {})) {
    if (path && !path.startsWith("/")) {
      out.push(error(pointer("bindNS", type), `must be an absolute path, got "${path}"`));
    }
  }
  return out;
}

function checkInterfaces(r: RuntimeJson, ctx: RuntimeContext): Problem[] {
  const list = r.interfaces ?? [];
  const out: Problem[] = [];
  if (list.length > 0 && ctx.networkNamespace === false) {
    out.push(error("/interfaces", "needs a network namespace in config.json's linux.namespaces"));
  }
  list.forEach((iface, i) => {
    const at = (...rest: PropertyKey[]) => pointer("interfaces", i, ...rest);
    if (!iface.name) {
      out.push(error(at("name"), "required"));
      return;
    }
    const bad = invalidName(iface.name);
    if (bad) out.push(error(at("name"), bad));
    const kind = linkKind(iface);
    if (kind === "veth" && !iface.peer) out.push(error(at(), "veth needs a peer"));
    if (iface.peer) {
      const badPeer = invalidName(iface.peer);
      if (badPeer) out.push(error(at("peer"), badPeer));
      else if (kind !== "veth") out.push(error(at("peer"), `only a veth has a peer, not ${kind}`));
      else if (iface.peer === iface.name) out.push(error(at("peer"), "must differ from name"));
    }
    if (iface.createInRoot && !kind) {
      out.push(error(at("createInRoot"), "needs add: an existing link is moved in, not created"));
    }
  });
  return out;
}

export interface LoadedRuntimeJson {
  /** The parsed document; undefined when it is unusable. */
  runtime: RuntimeJson | undefined;
  problems: Problem[];
  /** Its text, when it is a JSON object (to place problems at lines and columns). */
  text?: string;
}

/** Checks an already parsed runtime.json. */
export function validateRuntimeJson(data: unknown, ctx: RuntimeContext = {}): LoadedRuntimeJson {
  const keys = checkKeys(RuntimeJsonSchema, data);
  const parsed = parseWith(RuntimeJsonSchema, keys.value);
  const problems = [...parsed.problems, ...keys.problems];
  if (parsed.value) {
    const r = parsed.value;
    problems.push(...checkMounts(r), ...checkPaths(r), ...checkInterfaces(r, ctx));
  }
  const ok = parsed.value && !problems.some((p) => p.severity === "error");
  return { runtime: ok ? parsed.value : undefined, problems };
}

/** Reads and checks `<bundleDir>/runtime.json`; undefined when the bundle has none. */
export function loadRuntimeJson(
  bundleDir: string,
  ctx: RuntimeContext = {},
): LoadedRuntimeJson | undefined {
  if (!hasRuntimeJson(bundleDir)) return undefined;
  const read = readJsonObject(`${bundleDir.replace(/\/+$/, "") || "/"}/${RUNTIME_JSON}`);
  if (read.problem) return { runtime: undefined, problems: [read.problem] };
  return { ...validateRuntimeJson(read.value, ctx), text: read.text };
}
