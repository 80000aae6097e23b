// What create, run and exec check a config.json, process.json or runtime.json with, loaded on
// demand (see runtime/parts.ts): zod and the schemas are most of their code, and most calls
// need none of it before the container's init is on its way, or at all.
export { loadBundle, validateConfig } from "./bundle.ts";
export { readJsonObject } from "./json-file.ts";
export { parseProcess } from "./parse.ts";
export { loadRuntimeJson } from "./linuxkit.ts";
