// Resolves a path inside the rootfs the way the container will see it: symlinks are followed
// but never lead out of the rootfs (absolute links restart at the rootfs, ".." stops there).
import { SyscallError } from "../syscalls/errors.ts";

const ELOOP = 40;

export function resolveInRoot(root: string, path: string): string {
  let rest = path.split("/").filter((c) => c && c !== ".");
  const done: string[] = [];
  let links = 0;
  while (rest.length) {
    const c = rest.shift()!;
    if (c === "..") {
      done.pop();
      continue;
    }
    const full = `${root}/${[...done, c].join("/")}`;
    let isLink = false;
    try {
      isLink = Deno.lstatSync(full).isSymlink;
    } catch {
      // Missing: the rest is created literally by the caller.
    }
    if (!isLink) {
      done.push(c);
      continue;
    }
    if (++links > 40) throw new SyscallError("resolve", ELOOP, path);
    const target = Deno.readLinkSync(full);
    if (target.startsWith("/")) done.length = 0;
    rest = [...target.split("/").filter((x) => x && x !== "."), ...rest];
  }
  return done.length ? `${root}/${done.join("/")}` : root;
}
