// The first module of every command's bundle (runtime/bundles.ts): scripts/tsrun runs the bundle
// as the main module, and what runtime/bundles.ts derives from its path is read at module
// evaluation, so it is known before any other module of the bundle is evaluated.
globalThis.tsrunBundle = new URL(Deno.mainModule).pathname;
