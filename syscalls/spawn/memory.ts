// Anonymous mappings outside V8's heap: a fork child gets its own copy of them (V8's heap is
// MADV_DONTFORK), and the native routine is run from one.
import { sys } from "../libc.ts";
import { syscallNr } from "../nr.ts";

const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
const MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20;

/** A zero-filled read-write mapping of `size` bytes. */
export function mapAnon(size: number): Deno.PointerObject {
  const flags = MAP_PRIVATE | MAP_ANONYMOUS;
  const args = [0, size, PROT_READ | PROT_WRITE, flags, -1, 0];
  return Deno.UnsafePointer.create(sys("mmap", syscallNr("mmap"), args, `${size} bytes`))!;
}

export function unmap(p: Deno.PointerObject, size: number): void {
  sys("munmap", syscallNr("munmap"), [Deno.UnsafePointer.value(p), size]);
}

/** Makes a mapping read+execute (and no longer writable). */
export function protectExec(p: Deno.PointerObject, size: number): void {
  sys("mprotect", syscallNr("mprotect"), [
    Deno.UnsafePointer.value(p),
    size,
    PROT_READ | PROT_EXEC,
  ]);
}

/** A writable view of a mapping; it must not be used after `unmap`. */
export function bytesOf(p: Deno.PointerObject, size: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(p, size));
}
