// Small file helpers for cgroupfs. Writes go through libc so each value is exactly one write(2)
// (cgroup files parse one command per write: one device rule, one io.max line) and failures keep
// their errno (EBUSY, EINVAL, ENOENT decide what callers do next). Files are never created:
// a missing control file means the kernel lacks the feature, which must not pass silently.
import {
  check,
  libc,
  O_CLOEXEC,
  O_DIRECTORY,
  O_RDONLY,
  O_TRUNC,
  O_WRONLY,
  openFd as open,
} from "../../syscalls/libc.ts";
import { SyscallError } from "../../syscalls/errors.ts";

export { closeFd } from "../../syscalls/socket.ts";
export { exists } from "../../process/exists.ts";

/** A one-line error about the cgroup layer (bad config for this host, or a failed operation). */
export class CgroupError extends Error {
  override name = "CgroupError";
  /** The errno that caused it, where one did (a rootless create tells EACCES from the rest). */
  constructor(message: string, readonly errno?: string) {
    super(message);
  }
}

/** A cgroup the caller may not make, rather than one that failed: what rootless goes on without. */
export function isDenied(e: unknown): e is CgroupError {
  return e instanceof CgroupError && ["EACCES", "EPERM", "EROFS"].includes(e.errno ?? "");
}

/** An error about one config field, named as in config.json ("memory.swap" under resources). */
export function fieldError(field: string, message: string): CgroupError {
  return new CgroupError(`linux.resources.${field}: ${message}`);
}

/** Deno's error text without its "(os error N): op 'path'" tail (callers name the path). */
function reason(e: unknown): string {
  return (e as Error).message.replace(/ \(os error.*$/, "");
}

/** errno name of a SyscallError or a Deno filesystem error ("ENOENT"...), else undefined. */
export function errnoOf(e: unknown): string | undefined {
  if (e instanceof SyscallError) return e.errnoName;
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" ? code : undefined;
}

export function readFile(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new CgroupError(`read ${path}: ${reason(e)}`);
  }
}

/** Contents, or undefined when the file (or the kernel feature behind it) is absent. */
export function readOptional(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (["ENOENT", "ENODEV", "EOPNOTSUPP"].includes(errnoOf(e) ?? "")) return undefined;
    throw new CgroupError(`read ${path}: ${reason(e)}`);
  }
}

/** Writes `value` with a single write(2); throws SyscallError("write"|"open", errno, path). */
export function writeFile(path: string, value: string): void {
  const fd = openFd(path, O_WRONLY | O_TRUNC);
  try {
    const data = new TextEncoder().encode(value);
    const n = Number(libc().write(fd, data, BigInt(data.length)));
    check("write", n, path);
  } finally {
    libc().close(fd);
  }
}

/** O_RDONLY|O_CLOEXEC fd of a control file (an event source, e.g. memory.oom_control). */
export function openForRead(path: string): number {
  return openFd(path, O_RDONLY);
}

/** O_DIRECTORY|O_CLOEXEC fd of a directory (a bpf program's attach target). */
export function openDir(path: string): number {
  return openFd(path, O_RDONLY | O_DIRECTORY);
}

function openFd(path: string, flags: number): number {
  return open(path, flags | O_CLOEXEC);
}

/** Synchronous sleep (the cgroup API is synchronous; polling loops need short pauses). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** mkdir of every missing directory from below `top` down to `dir`; returns the ones it
 * created, outermost first, so a failure later can remove exactly those. */
export function makeDirs(top: string, dir: string): string[] {
  const created: string[] = [];
  let path = top;
  for (const part of dir.slice(top.length).split("/").filter((p) => p !== "")) {
    path += `/${part}`;
    try {
      Deno.mkdirSync(path, { mode: 0o755 });
      created.push(path);
    } catch (e) {
      if (errnoOf(e) !== "EEXIST") {
        removeDirs(created);
        throw new CgroupError(`mkdir ${path}: ${reason(e)}`, errnoOf(e));
      }
    }
  }
  return created;
}

/** Removes directories made by makeDirs, innermost first; best effort (used on failure paths). */
export function removeDirs(created: string[]): void {
  for (const d of [...created].reverse()) {
    try {
      removeDir(d);
    } catch {
      // Already failing; the original error matters more than leftovers.
    }
  }
}

/**
 * One rmdir: undefined once the directory is gone (or was missing), the error when it was refused
 * for what it holds (EBUSY; ENOTEMPTY from a plain directory tree); any other error throws.
 */
function rmdirOnce(path: string): unknown {
  try {
    Deno.removeSync(path);
  } catch (e) {
    const code = errnoOf(e);
    if (code === "EBUSY" || code === "ENOTEMPTY") return e;
    if (code !== "ENOENT") throw new CgroupError(`rmdir ${path}: ${reason(e)}`);
  }
  return undefined;
}

/** rmdir; a missing directory counts as removed. EBUSY (tasks still leaving) is retried briefly. */
export function removeDir(path: string): void {
  for (let delay = 1;; delay *= 2) {
    const refused = rmdirOnce(path);
    if (refused === undefined) return;
    if (errnoOf(refused) !== "EBUSY" || delay > 512) {
      throw new CgroupError(`rmdir ${path}: ${reason(refused)}`);
    }
    sleepMs(delay);
  }
}

/** removeTree of each of `dirs` (each once); one error naming every one that failed. */
export function removeTrees(dirs: Iterable<string>): void {
  const failed: string[] = [];
  for (const d of new Set(dirs)) {
    try {
      removeTree(d);
    } catch (e) {
      failed.push((e as Error).message);
    }
  }
  if (failed.length > 0) throw new CgroupError(failed.join("; "));
}

/** Removes a cgroup directory and any child cgroups below it, deepest first. */
export function removeTree(path: string): void {
  // Most have no child cgroup: one rmdir, and a listing only when that is refused.
  if (rmdirOnce(path) === undefined) return;
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(path)];
  } catch (e) {
    if (errnoOf(e) === "ENOENT") return;
    throw new CgroupError(`read ${path}: ${reason(e)}`);
  }
  for (const e of entries) if (e.isDirectory) removeTree(`${path}/${e.name}`);
  removeDir(path);
}

/** Pids listed in `dir/cgroup.procs`, and in every child cgroup when `recursive`. */
export function readPids(dir: string, recursive: boolean): number[] {
  const text = readOptional(`${dir}/cgroup.procs`);
  if (text === undefined) return [];
  const pids = text.split("\n").filter((l) => l !== "").map(Number);
  if (!recursive) return pids;
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) pids.push(...readPids(`${dir}/${e.name}`, true));
  }
  return pids;
}
