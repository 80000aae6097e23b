// The public face of specs/: OCI runtime-spec types (inferred from the zod schemas) and the
// functions the runtime and the CLI call. Import from here rather than from the parts.
export { type Config, ConfigSchema } from "./schema/config.ts";
export {
  type Capabilities,
  type Process,
  ProcessSchema,
  type Rlimit,
  type User,
} from "./schema/process.ts";
export { type IDMapping, type Mount, MountSchema } from "./schema/mount.ts";
export { type Hook, type Hooks } from "./schema/hooks.ts";
export { HOOK_NAMES, type HookName } from "./hook-names.ts";
export {
  type Device,
  type Linux,
  LinuxSchema,
  type Namespace,
  type Seccomp,
  type Syscall,
} from "./schema/linux.ts";
export { type State, StateSchema, type Status } from "./schema/state.ts";
export { type Features, FeaturesSchema } from "./schema/features.ts";
export { type LinuxResources, LinuxResourcesSchema } from "./resources.ts";
export type { NamespaceType } from "./namespaces.ts";

export { formatProblem, hasErrors, type Problem, type Severity } from "./problem.ts";
export { loadBundle, type LoadedBundle, validateConfig } from "./bundle.ts";
export { type Parsed, parseProcess, parseResources } from "./parse.ts";
export { readJsonObject } from "./json-file.ts";
