// Where container state lives when --root is not given: /run/tsrun for root (as runc's /run/runc);
// for anyone else a directory only they can reach, as runc uses $XDG_RUNTIME_DIR/runc.
import { RuntimeError } from "../errors.ts";
import { inUserNamespace } from "../caller.ts";

export function defaultStateRoot(): string {
  const uid = Deno.uid();
  const xdg = Deno.env.get("XDG_RUNTIME_DIR");
  // uid 0 in a user namespace (rootless podman's runtime) cannot write the host's /run: it keeps
  // its state under $XDG_RUNTIME_DIR as runc does, unless it says it is root ($USER).
  if (uid === 0 && !(xdg && inUserNamespace() && Deno.env.get("USER") !== "root")) {
    return "/run/tsrun";
  }
  return xdg ? `${xdg}/tsrun` : `/tmp/tsrun-${uid}`;
}

/**
 * Makes the default state root of a non-root caller (0700) and refuses one that is not theirs:
 * /tmp is shared, and a directory someone else made there in advance could be read or swapped
 * under them.
 */
export function ensureOwnStateRoot(path: string): void {
  const uid = Deno.uid()!;
  try {
    Deno.mkdirSync(path, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) {
      throw new RuntimeError(`state root ${path}: ${(e as Error).message}`);
    }
  }
  const st = Deno.lstatSync(path);
  if (!st.isDirectory || st.uid !== uid || ((st.mode ?? 0) & 0o022) !== 0) {
    throw new RuntimeError(
      `state root ${path}: not a directory owned by uid ${uid} and writable only by it; ` +
        `remove it or pass --root`,
    );
  }
}
