// Waiting for an fd to become readable without blocking the event loop: poll(2) on a pool
// thread (harmless there: poll has no per-thread state). libc.ts keeps every other call on the
// JS thread.
const symbols = {
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

let lib: Deno.DynamicLibrary<typeof symbols>["symbols"] | undefined;

const POLLIN = 1;

/** Resolves once `fd` is readable, at EOF or in error (the read that follows tells which). */
export async function readable(fd: number): Promise<void> {
  lib ??= Deno.dlopen("libc.so.6", symbols).symbols;
  const pfd = new Uint8Array(8);
  const v = new DataView(pfd.buffer);
  v.setInt32(0, fd, true);
  v.setInt16(4, POLLIN, true);
  // -1 can only be EINTR or a transient ENOMEM here (a bad fd is reported in revents).
  while (await lib.poll(pfd, 1n, -1) < 0) { /* retry */ }
}
