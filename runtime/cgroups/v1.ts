// The cgroup v1 manager: one directory per mounted hierarchy. On hybrid hosts it also joins
// the same path in the unified (cgroup2) tree, as runc does, and uses that tree for a section
// whose controller only it offers (hugetlb, rdma) and for `unified` keys.
import type { LinuxResources } from "../../specs/resources.ts";
import { applyWrites, dirView, lacking, type PlannedWrite } from "./apply.ts";
import type { CgroupHost, Hierarchy } from "./detect.ts";
import {
  CgroupError,
  exists,
  fieldError,
  isDenied,
  makeDirs,
  readOptional,
  readPids,
  removeDirs,
  removeTrees,
  writeFile,
} from "./files.ts";
import { freezerStateV1, freezerStateV2, freezeV1, freezeV2, thawV1, thawV2 } from "./freezer.ts";
import { signalEach } from "./kill.ts";
import { type OomWatch, watchOomV1, watchOomV2 } from "./oom.ts";
import { emptyStats, omitEmpty, type StatsEvent } from "./stats-types.ts";
import { collectV1 } from "./stats-v1.ts";
import { collectHugetlbV2 } from "./stats-v2.ts";
import type { CgroupManager, FreezerState } from "./types.ts";
import { v1Mappers } from "./v1-resources.ts";
import { v2Mappers } from "./v2-resources.ts";
import { checkControllers, enableControllers, neededControllers } from "./v2-tree.ts";

interface Place {
  controllers: string[];
  mountpoint: string;
  dir: string;
}

export class V1Manager implements CgroupManager {
  readonly layout: "v1" | "hybrid";
  #dirs: Place[];
  readonly #unified?: Place;
  /** Controllers a rootless create left out, and why (named when a limit needs one). */
  readonly #denied = new Map<string, string>();

  /** `dirOf` names the container's directory in each hierarchy; one it leaves undefined is
   * not used (a hierarchy mounted after the container was made does not hold it). */
  constructor(
    host: CgroupHost,
    dirOf: (h: Hierarchy) => string | undefined,
    readonly id: string,
  ) {
    this.layout = host.layout === "hybrid" ? "hybrid" : "v1";
    const place = (h: Hierarchy, controllers: string[]) => {
      const dir = dirOf(h);
      return dir === undefined ? undefined : { controllers, mountpoint: h.mountpoint, dir };
    };
    this.#dirs = host.v1.map((h) => place(h, h.controllers)).filter((p) => p !== undefined);
    if (host.unified) this.#unified = place(host.unified, host.unifiedControllers);
  }

  get paths(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of this.#dirs) for (const c of d.controllers) out[c] = d.dir;
    if (this.#unified) out[""] = this.#unified.dir;
    return out;
  }

  #dirOf(controller: string): string | undefined {
    return this.#dirs.find((d) => d.controllers.includes(controller))?.dir;
  }

  #plan(r: LinuxResources): PlannedWrite[] {
    const view = dirView((c) => this.#dirOf(c));
    const out: PlannedWrite[] = [];
    for (const [section, map] of Object.entries(v1Mappers)) {
      try {
        const writes = map(r, view);
        const lacking = writes.find((w) => !this.#dirOf(w.controller));
        const denied = lacking && this.#denied.get(lacking.controller);
        if (denied) throw fieldError(lacking.field, `cannot be applied: rootless, and ${denied}`);
        if (lacking) {
          throw fieldError(
            lacking.field,
            `needs the ${lacking.controller} controller, which this host does not have`,
          );
        }
        out.push(...writes.map((w) => ({ ...w, dir: this.#dirOf(w.controller)! })));
      } catch (e) {
        const alt = this.#viaUnified(section, r);
        if (!alt) throw e;
        out.push(...alt);
      }
    }
    return out;
  }

  /** The section applied in the unified tree with v2 semantics, when that tree offers every
   * controller it needs; undefined when it cannot be. */
  #viaUnified(section: string, r: LinuxResources): PlannedWrite[] | undefined {
    const u = this.#unified;
    const map = v2Mappers[section as keyof typeof v2Mappers];
    if (!u || !map) return undefined;
    try {
      const writes = map(r, dirView(() => u.dir));
      const ok = writes.every((w) =>
        w.controller === "cgroup" || u.controllers.includes(w.controller)
      );
      return ok ? writes.map((w) => ({ ...w, dir: u.dir })) : undefined;
    } catch {
      return undefined;
    }
  }

  validate(r: LinuxResources): void {
    this.#plan(r);
  }

  lacking(r: LinuxResources): string[] {
    return lacking(r, (part) => this.#plan(part));
  }

  create(r?: LinuxResources, rootless = false): void {
    const plan = r ? this.#plan(r) : [];
    const created: string[] = [];
    const made: Place[] = [];
    let denied: CgroupError | undefined;
    try {
      for (const d of this.#dirs) {
        try {
          created.push(...makeDirs(d.mountpoint, d.dir));
        } catch (e) {
          if (!rootless || !isDenied(e)) throw e;
          denied ??= e;
          for (const c of d.controllers) this.#denied.set(c, e.message);
          continue;
        }
        if (d.controllers.includes("cpuset")) initCpuset(d.mountpoint, d.dir);
        made.push(d);
      }
      if (denied && made.length === 0) throw denied;
      this.#dirs = made;
      this.#createUnified(plan, created);
    } catch (e) {
      removeDirs(created);
      throw e;
    }
  }

  #createUnified(plan: PlannedWrite[], created: string[]): void {
    const u = this.#unified;
    if (!u) return;
    const needed = plan.filter((w) => w.dir === u.dir);
    try {
      created.push(...makeDirs(u.mountpoint, u.dir));
      enableControllers(u.mountpoint, u.dir, neededControllers(needed));
      checkControllers(u.dir, needed);
    } catch (e) {
      // Joining the unified tree is a courtesy (tools look for the container there) unless
      // the config needs a controller only that tree has.
      if (needed.length > 0) throw e;
    }
  }

  addProcess(pid: number): void {
    for (const d of this.#dirs) writeFile(`${d.dir}/cgroup.procs`, String(pid));
    const u = this.#unified;
    if (u && exists(u.dir)) writeFile(`${u.dir}/cgroup.procs`, String(pid));
  }

  set(r: LinuxResources): void {
    const plan = this.#plan(r);
    const u = this.#unified;
    const unifiedWrites = plan.filter((w) => w.dir === u?.dir);
    if (u && unifiedWrites.length > 0) {
      enableControllers(u.mountpoint, u.dir, neededControllers(unifiedWrites));
      checkControllers(u.dir, unifiedWrites);
    }
    applyWrites(plan);
  }

  pids(recursive = true): number[] {
    const d = this.#dirOf("pids") ?? this.#dirOf("freezer") ?? this.#dirOf("devices") ??
      this.#dirs[0]?.dir;
    return d ? readPids(d, recursive) : [];
  }

  /** The v1 freezer, or on a hybrid host without one the unified tree's cgroup.freeze. */
  #freezer(): { v2: boolean; dir: string } | undefined {
    const v1 = this.#dirOf("freezer");
    if (v1) return { v2: false, dir: v1 };
    const u = this.#unified;
    if (u && exists(`${u.dir}/cgroup.freeze`)) return { v2: true, dir: u.dir };
    return undefined;
  }

  freeze(): void {
    const f = this.#freezer();
    if (!f) throw new CgroupError("cannot freeze: this host has no freezer cgroup");
    (f.v2 ? freezeV2 : freezeV1)(f.dir);
  }

  thaw(): void {
    const f = this.#freezer();
    if (!f) throw new CgroupError("cannot thaw: this host has no freezer cgroup");
    (f.v2 ? thawV2 : thawV1)(f.dir);
  }

  freezerState(): FreezerState {
    const f = this.#freezer();
    if (!f) return "UNDEFINED";
    return (f.v2 ? freezerStateV2 : freezerStateV1)(f.dir);
  }

  killAll(signal: number): void {
    signalEach(this, signal);
  }

  stats(): StatsEvent {
    const data = emptyStats();
    collectV1((c) => this.#dirOf(c), data);
    const u = this.#unified;
    if (u && !this.#dirOf("hugetlb") && u.controllers.includes("hugetlb")) {
      collectHugetlbV2(u.dir, data);
    }
    return { type: "stats", id: this.id, data: omitEmpty(data) };
  }

  /** The v1 memory cgroup, or on a hybrid host without one the unified tree's. */
  oomWatch(): OomWatch {
    const v1 = this.#dirOf("memory");
    if (v1) return watchOomV1(v1);
    const u = this.#unified;
    if (u?.controllers.includes("memory")) return watchOomV2(u.dir);
    throw new CgroupError("cannot watch for OOMs: this host has no memory cgroup");
  }

  destroy(): void {
    removeTrees([...this.#dirs, ...(this.#unified ? [this.#unified] : [])].map((d) => d.dir));
  }

  exists(): boolean {
    return this.#dirs.some((d) => exists(d.dir));
  }
}

/** A new v1 cpuset starts with empty cpus and mems, and a cgroup with an empty cpuset cannot
 * take processes: fill each level from its parent (set() narrows the leaf afterwards). */
function initCpuset(top: string, dir: string): void {
  let parent = top;
  for (const part of dir.slice(top.length).split("/").filter((p) => p !== "")) {
    const path = `${parent}/${part}`;
    for (const file of ["cpuset.cpus", "cpuset.mems"]) {
      const value = readOptional(`${path}/${file}`);
      const from = readOptional(`${parent}/${file}`)?.trim();
      if (value?.trim() === "" && from) writeFile(`${path}/${file}`, from);
    }
    parent = path;
  }
}
