// Finds a statically linked busybox on the host. Test rootfses contain nothing else, so the binary
// must run without a dynamic loader or libraries inside the container.

const CANDIDATES = ["/usr/bin/busybox", "/bin/busybox"];
const PT_INTERP = 3;

/** True when `bytes` start an ELF executable with no program interpreter (no ld.so needed). */
export function isStaticElf(bytes: Uint8Array): boolean {
  const magic = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
  if (bytes.length < 64 || magic.some((b, i) => bytes[i] !== b)) return false;
  const is64 = bytes[4] === 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[5] === 1;
  const phoff = is64 ? Number(view.getBigUint64(0x20, le)) : view.getUint32(0x1c, le);
  const phentsize = view.getUint16(is64 ? 0x36 : 0x2a, le);
  const phnum = view.getUint16(is64 ? 0x38 : 0x2c, le);
  if (phnum === 0 || phoff + phnum * phentsize > bytes.length) return false;
  for (let i = 0; i < phnum; i++) {
    if (view.getUint32(phoff + i * phentsize, le) === PT_INTERP) return false;
  }
  return true;
}

function readHead(path: string): Uint8Array | undefined {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path);
  } catch {
    return undefined;
  }
  try {
    // Program headers sit right after the 64-byte ELF header in any real binary.
    const buf = new Uint8Array(4096);
    const n = file.readSync(buf) ?? 0;
    return buf.subarray(0, n);
  } finally {
    file.close();
  }
}

/**
 * Path of a static busybox: $TSRUN_BUSYBOX if set, else Debian's busybox-static locations.
 * Throws a one-line error saying how to get one.
 */
export function findBusybox(): string {
  const override = Deno.env.get("TSRUN_BUSYBOX");
  const candidates = override ? [override] : CANDIDATES;
  for (const path of candidates) {
    const head = readHead(path);
    if (head && isStaticElf(head)) return path;
  }
  throw new Error(
    `no statically linked busybox at ${candidates.join(" or ")}: ` +
      "install it with `apt-get install busybox-static` or set TSRUN_BUSYBOX to a static busybox",
  );
}

/** Applet names the binary provides (`busybox --list`). */
export function busyboxApplets(path: string): string[] {
  const out = new Deno.Command(path, { args: ["--list"], stdout: "piped", stderr: "piped" })
    .outputSync();
  if (!out.success) {
    throw new Error(`${path} --list failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout).split("\n").filter((n) => /^[\w.[\]-]+$/.test(n));
}
