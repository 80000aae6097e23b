// The state store: one directory per container under --root, state.json written atomically
// (write + rename), and a lock file so commands on one id run one at a time. The cgroup is
// recorded (cgroup.json) when the id is claimed, before it exists: a create killed at any point
// leaves enough behind for `delete --force` to remove everything it made.
import type { Config } from "../../specs/schema/config.ts";
import type { CgroupRecord } from "../cgroups/mod.ts";
import { RuntimeError } from "../errors.ts";
import { listed } from "../../process/exists.ts";

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
    return `${this.dir(id)}/${FIFO}`;
  }

  /** Whether the exec fifo is there: made by create, removed by start. */
  hasFifo(id: string): boolean {
    return listed(this.dir(id), FIFO);
  }

  /** Replaces the cgroup recorded at claim (a rootless container that goes on without one). */
  recordCgroup(id: string, cgroup: CgroupRecord): void {
    this.#writeJson(id, CGROUP_FILE, cgroup);
  }

  /**
   * The host mounts a runtime.json made for the container so far, in order: written after each
   * one, so `delete` unmounts them even after a killed create (and never a mount not ours).
   */
  recordRuntimeMounts(id: string, mounts: readonly RecordedMount[]): void {
    this.#writeJson(id, MOUNTS_FILE, mounts);
  }

  /** What recordRuntimeMounts last wrote; [] when nothing (or nothing readable) was. */
  runtimeMounts(id: string): RecordedMount[] {
    if (!listed(this.dir(id), MOUNTS_FILE)) return [];
    try {
      const v = JSON.parse(Deno.readTextFileSync(`${this.dir(id)}/${MOUNTS_FILE}`));
      return Array.isArray(v) ? v.filter(isRecordedMount) : [];
    } catch {
      return [];
    }
  }

  /**
   * Claims the id (fails when a container with it exists) and records the cgroup the container
   * will use. Returns the id's lock, held until the caller closes it: `delete` waits for a
   * create in progress, and finds a killed one's remnants complete.
   */
  claim(id: string, cgroup: CgroupRecord): Deno.FsFile {
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
    let lock: Deno.FsFile | undefined;
    try {
      lock = this.lock(id);
      this.#writeJson(id, CGROUP_FILE, cgroup);
      return lock;
    } catch (e) {
      lock?.close();
      this.remove(id);
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
    this.#writeJson(state.id, STATE_FILE, state);
  }

  #writeJson(id: string, name: string, value: unknown): void {
    const tmp = `${this.dir(id)}/.${name}.tmp`;
    Deno.writeTextFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    Deno.renameSync(tmp, `${this.dir(id)}/${name}`);
  }

  /** The state; an UnusableState error when the directory holds none that can be used. */
  read(id: string): StoredState {
    validateId(id);
    let text: string;
    try {
      text = Deno.readTextFileSync(`${this.dir(id)}/${STATE_FILE}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw unusable(id, (e as Error).message);
      if (!this.ids().includes(id)) throw notExist(id);
      throw new UnusableState(
        `container ${id} has no state: it is being created, or its create was killed ` +
          `(delete --force ${id} removes what it left)`,
        true,
      );
    }
    const state = parseObject(text);
    const broken = state ? brokenField(state) : "not a JSON object";
    if (broken) throw unusable(id, broken);
    return state as unknown as StoredState;
  }

  /**
   * What survives of a container whose state is unusable: the cgroup recorded at claim (or in a
   * state that still parses) and its init, when a state still names them.
   */
  remnants(id: string): Remnants {
    validateId(id);
    const read = (name: string) => {
      try {
        return parseObject(Deno.readTextFileSync(`${this.dir(id)}/${name}`));
      } catch {
        return undefined;
      }
    };
    const state = read(STATE_FILE);
    const claimed = read(CGROUP_FILE);
    const out: Remnants = {};
    const record = [state?.cgroup, claimed].find((r) => isRecord(r) && isRecord(r.paths));
    if (record) out.cgroup = record as CgroupRecord;
    if (typeof state?.pid === "number" && typeof state.pidStart === "number") {
      out.init = { pid: state.pid, start: state.pidStart };
    }
    return out;
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

/** The id's directory exists but holds no usable state (a killed create, a torn file). */
export class UnusableState extends RuntimeError {
  /** No state.json at all: maybe a create still running, not necessarily a remnant. */
  constructor(message: string, readonly absent = false) {
    super(message);
  }
}

/** A host path, or with `root` a path inside that rootfs (resolved there when unmounted). */
export interface RecordedMount {
  path: string;
  root?: string;
}

function isRecordedMount(v: unknown): v is RecordedMount {
  return isRecord(v) && typeof v.path === "string" &&
    (v.root === undefined || typeof v.root === "string");
}

export interface Remnants {
  cgroup?: CgroupRecord;
  init?: { pid: number; start: number };
}

const STATE_FILE = "state.json";
const CGROUP_FILE = "cgroup.json";
const MOUNTS_FILE = "runtime-mounts.json";
const FIFO = "exec.fifo";

function unusable(id: string, why: string): UnusableState {
  return new UnusableState(
    `container ${id}: unusable state.json (${why}); delete --force ${id} removes the container`,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The first field every command relies on that is missing or of the wrong type. */
function brokenField(s: Record<string, unknown>): string | undefined {
  for (const key of ["id", "bundle", "created"]) {
    if (typeof s[key] !== "string") return `${key}: not a string`;
  }
  for (const key of ["pid", "pidStart"]) {
    if (typeof s[key] !== "number") return `${key}: not a number`;
  }
  for (const key of ["cgroup", "config", "annotations"]) {
    if (!isRecord(s[key])) return `${key}: not an object`;
  }
  if (!isRecord((s.cgroup as Record<string, unknown>).paths)) return "cgroup.paths: not an object";
  return undefined;
}
