// The first module of every command's bundle (runtime/bundles.ts): scripts/tsrun runs the bundle
// as the main module, and what runtime/bundles.ts derives from its path is read at module
// evaluation, so it is known before any other module of the bundle is evaluated. (Sliced, not
// parsed: a first URL costs a start ~0.35 ms.)
globalThis.tsrunBundle = decodeURIComponent(Deno.mainModule.slice("file://".length));
