// The native spawn routine, copied once per process into an executable page of its own.
import { bytesOf, mapAnon, protectExec } from "./memory.ts";
import { code as x86_64 } from "./x86_64.ts";
import { code as aarch64 } from "./aarch64.ts";

const blobs: Partial<Record<typeof Deno.build.arch, Uint8Array>> = { x86_64, aarch64 };

// Not nonblocking: the clone must run on the calling thread, whose namespaces, credentials and
// signal mask the child inherits.
const signature = { parameters: ["pointer"], result: "i64" } as const;

let fn: Deno.UnsafeFnPointer<typeof signature> | undefined;

/** Calls the routine on an arena: the child's pid, or -errno if the clone failed. */
export function runRoutine(arena: Deno.PointerObject): bigint {
  return (fn ??= load()).call(arena);
}

function load(): Deno.UnsafeFnPointer<typeof signature> {
  const blob = blobs[Deno.build.arch];
  if (!blob) throw new Error(`spawn: not supported on ${Deno.build.arch} (no native routine)`);
  const page = mapAnon(blob.length);
  bytesOf(page, blob.length).set(blob);
  // On aarch64 the kernel makes the instruction cache coherent with these writes when the
  // fresh page first becomes executable, so no cache flush is needed here.
  protectExec(page, blob.length);
  return new Deno.UnsafeFnPointer(page as Deno.PointerObject<typeof signature>, signature);
}
