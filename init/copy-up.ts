// runc's `tmpcopyup`: a tmpfs mounted over a directory of the image starts with a copy of that
// directory (e.g. /run or /var/cache in podman's tmpfs volumes). The covered directory stays
// reachable through an fd opened before the mount; symlinks are copied as links, never followed.
import { AT_SYMLINK_NOFOLLOW, atCall } from "../process/secure-path.ts";

const AT_FDCWD = -100;

function copyEntry(from: string, to: string): void {
  const st = Deno.lstatSync(from);
  if (st.isSymlink) {
    Deno.symlinkSync(Deno.readLinkSync(from), to);
  } else if (st.isDirectory) {
    Deno.mkdirSync(to);
    for (const e of Deno.readDirSync(from)) copyEntry(`${from}/${e.name}`, `${to}/${e.name}`);
  } else if (st.isFile) {
    Deno.copyFileSync(from, to);
  } else {
    return; // sockets, fifos and device nodes are not copied (runc skips them too)
  }
  const owner = [st.uid ?? 0, st.gid ?? 0];
  atCall("fchownat", [AT_FDCWD, to, ...owner, AT_SYMLINK_NOFOLLOW], to);
  if (!st.isSymlink) Deno.chmodSync(to, (st.mode ?? 0o755) & 0o7777);
}

/** Copies the contents of directory `from` into the (empty) directory `to`. */
export function copyUp(from: string, to: string): void {
  for (const e of Deno.readDirSync(from)) copyEntry(`${from}/${e.name}`, `${to}/${e.name}`);
}
