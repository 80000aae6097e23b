// The cgroup v2 manager: one directory in the unified hierarchy.
import type { LinuxResources } from "../../specs/resources.ts";
import { applyWrites, dirView, lacking } from "./apply.ts";
import type { CgroupHost } from "./detect.ts";
import { normalizeDeviceRules } from "./devices.ts";
import { setDeviceFilter } from "./ebpf/devices.ts";
import { exists, makeDirs, readPids, removeDirs, removeTree, writeFile } from "./files.ts";
import { freezerStateV2, freezeV2, thawV2 } from "./freezer.ts";
import { signalEach } from "./kill.ts";
import { type OomWatch, watchOomV2 } from "./oom.ts";
import { emptyStats, omitEmpty, type StatsEvent } from "./stats-types.ts";
import { collectV2 } from "./stats-v2.ts";
import type { CgroupManager, FreezerState, Write } from "./types.ts";
import { v2Writes } from "./v2-resources.ts";
import {
  checkAvailable,
  checkControllers,
  enableControllers,
  neededControllers,
} from "./v2-tree.ts";
import { SIGKILL } from "../signals.ts";

export class V2Manager implements CgroupManager {
  readonly layout = "v2";
  readonly #top: string;
  readonly #available: string[];

  constructor(host: CgroupHost, readonly dir: string, readonly id: string) {
    this.#top = host.unified!.mountpoint;
    this.#available = host.unifiedControllers;
  }

  get paths(): Record<string, string> {
    return { "": this.dir };
  }

  #plan(r: LinuxResources): Write[] {
    const writes = v2Writes(r, dirView(() => this.dir));
    checkAvailable(this.#available, writes, `the cgroup v2 hierarchy at ${this.#top}`);
    return writes;
  }

  validate(r: LinuxResources): void {
    this.#plan(r);
  }

  lacking(r: LinuxResources): string[] {
    return lacking(r, (part) => this.#plan(part).map((w) => ({ ...w, dir: this.dir })));
  }

  create(r?: LinuxResources): void {
    const writes = r ? this.#plan(r) : [];
    const created = makeDirs(this.#top, this.dir);
    try {
      // Like runc, delegate everything on offer, so stats and later updates find their files.
      enableControllers(this.#top, this.dir, this.#available);
      checkControllers(this.dir, writes);
    } catch (e) {
      removeDirs(created);
      throw e;
    }
  }

  addProcess(pid: number): void {
    writeFile(`${this.dir}/cgroup.procs`, String(pid));
  }

  set(r: LinuxResources): void {
    const writes = this.#plan(r);
    enableControllers(this.#top, this.dir, neededControllers(writes));
    checkControllers(this.dir, writes);
    applyWrites(writes.map((w) => ({ ...w, dir: this.dir })));
    if (r.devices) setDeviceFilter(this.dir, normalizeDeviceRules(r.devices));
  }

  pids(recursive = true): number[] {
    return readPids(this.dir, recursive);
  }

  freeze(): void {
    freezeV2(this.dir);
  }

  thaw(): void {
    thawV2(this.dir);
  }

  freezerState(): FreezerState {
    return freezerStateV2(this.dir);
  }

  killAll(signal: number): void {
    if (signal === SIGKILL && exists(`${this.dir}/cgroup.kill`)) {
      writeFile(`${this.dir}/cgroup.kill`, "1");
    } else {
      signalEach(this, signal);
    }
  }

  stats(): StatsEvent {
    const data = emptyStats();
    collectV2(this.dir, data);
    return { type: "stats", id: this.id, data: omitEmpty(data) };
  }

  oomWatch(): OomWatch {
    return watchOomV2(this.dir);
  }

  destroy(): void {
    removeTree(this.dir);
  }

  exists(): boolean {
    return exists(this.dir);
  }
}
