// The state store: one directory per container under --root, state.json written atomically
// (write + rename), and a lock file so commands on one id run one at a time.
import type { Config } from "../../specs/schema/config.ts";
import type { CgroupRecord } from "../cgroups/mod.ts";
import { RuntimeError } from "../errors.ts";

/** What tsrun keeps about a container; the OCI state is derived from it. */
export interface StoredState {
  ociVersion: string;
  id: string;
  pid: number;
  /** Start time of pid (clock ticks since boot), to tell a recycled pid from ours. */
  pidStart: number;
  bundle: string;
  rootfs: string;
  created: string;
  annotations: Record<string, string>;
  cgroup: CgroupRecord;
  config: Config;
}

const ID_RE = /^[\w+\-.]+$/;

export function validateId(id: string): void {
  if (!ID_RE.test(id) || id === "." || id === "..") {
    throw new RuntimeError(
      `invalid container id "${id}": use letters, digits, "_", "+", "-" and "."`,
    );
  }
}

export class Store {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return `${this.root}/${id}`;
  }

  fifo(id: string): string {
    return `${this.dir(id)}/exec.fifo`;
  }

  /** Claims the id: fails when a container with it exists. */
  claim(id: string): void {
    validateId(id);
    Deno.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      Deno.mkdirSync(this.dir(id), { mode: 0o711 });
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) {
        throw new RuntimeError(`container with id exists: ${id}`);
      }
      throw e;
    }
  }

  /** Holds an exclusive lock on the container for the rest of the process (released at exit). */
  lock(id: string): Deno.FsFile {
    validateId(id);
    let f: Deno.FsFile;
    try {
      f = Deno.openSync(`${this.dir(id)}/lock`, { read: true, write: true, create: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw notExist(id);
      throw e;
    }
    f.lockSync(true);
    return f;
  }

  write(state: StoredState): void {
    const tmp = `${this.dir(state.id)}/.state.json.tmp`;
    Deno.writeTextFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    Deno.renameSync(tmp, `${this.dir(state.id)}/state.json`);
  }

  read(id: string): StoredState {
    validateId(id);
    try {
      return JSON.parse(Deno.readTextFileSync(`${this.dir(id)}/state.json`));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw notExist(id);
      throw new RuntimeError(`container ${id}: unreadable state: ${(e as Error).message}`);
    }
  }

  remove(id: string): void {
    try {
      Deno.removeSync(this.dir(id), { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  ids(): string[] {
    try {
      return [...Deno.readDirSync(this.root)].filter((e) => e.isDirectory).map((e) => e.name)
        .sort();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return [];
      throw e;
    }
  }
}

export function notExist(id: string): RuntimeError {
  return new RuntimeError(`container does not exist: ${id}`);
}
