// The systemd cgroup driver (--systemd-cgroup): systemd owns the container's cgroup as a
// transient scope unit that it creates around the init, with the resources systemd has
// properties for; everything else — the control files systemd has no property for, the v1
// hierarchies it does not manage, freezing, stats, killing — is the cgroupfs manager's work on
// the scope's directories, as in runc. Only this driver's commands load this module (and D-Bus).
import type { LinuxResources } from "../../../specs/resources.ts";
import { cgroupManager, type CgroupRecord } from "../mod.ts";
import type { OomWatch } from "../oom.ts";
import type { StatsEvent } from "../stats-types.ts";
import type { CgroupManager, FreezerState } from "../types.ts";
import { readOptional } from "../files.ts";
import { Systemd } from "./client.ts";
import { resourceProperties, scopeProperties } from "./properties.ts";
import { unitFor } from "./unit.ts";

function procDevices(): string {
  return readOptional("/proc/devices") ?? "";
}

export class SystemdManager implements CgroupManager {
  /** Whether this process started the unit; else destroy() checks it is the container's (a
   * destroy before the start was waited for finds it by its description: a StopUnit that follows
   * a StartTransientUnit on one connection replaces its job). */
  #started = false;

  /** `files` is the cgroupfs manager over the scope's directories. */
  constructor(
    readonly files: CgroupManager,
    readonly unit: string,
    readonly slice: string,
    readonly id: string,
    readonly systemd = new Systemd(),
  ) {}

  get #description(): string {
    return `tsrun container ${this.id}`;
  }

  /** The manager for a new container: its scope named from cgroupsPath (see unit.ts). */
  static forContainer(id: string, cgroupsPath: string | undefined): SystemdManager {
    const unit = unitFor(cgroupsPath, id);
    const systemd = new Systemd();
    const files = cgroupManager({ id, cgroupsPath: systemd.rootCgroup() + unit.path });
    return new SystemdManager(files, unit.name, unit.slice, id, systemd);
  }

  /** The manager of a recorded scope, for the commands that change or remove it. */
  static reopen(files: CgroupManager, unit: string, id: string): SystemdManager {
    // The slice matters only when the unit is started.
    return new SystemdManager(files, unit, "", id);
  }

  get layout() {
    return this.files.layout;
  }

  get paths() {
    return this.files.paths;
  }

  get record(): CgroupRecord {
    return { layout: this.layout, paths: this.paths, systemd: { unit: this.unit } };
  }

  validate(r: LinuxResources): void {
    this.files.validate(r);
    resourceProperties(r, this.layout, procDevices());
  }

  lacking(r: LinuxResources): string[] {
    return this.files.lacking(r);
  }

  /** The scope cannot exist before the init does (see adopt): only validates. */
  create(r?: LinuxResources): void {
    if (r) this.validate(r);
  }

  /** Asks systemd for the scope around the init; the result waits until it is there, then the
   * hierarchies systemd leaves alone (v1 cpuset, freezer...) get the same directory, which the
   * init joins too. */
  adopt(pid: number): () => void {
    const properties = scopeProperties(this.#description, this.slice, pid, this.layout);
    const started = this.systemd.startScope(this.unit, properties);
    return () => {
      started();
      this.#started = true;
      if (this.layout === "v2") return; // systemd made the one directory and put the init in it
      this.files.create();
      this.files.addProcess(pid);
    };
  }

  addProcess(pid: number): void {
    this.files.addProcess(pid);
  }

  set(r: LinuxResources): void {
    const properties = resourceProperties(r, this.layout, procDevices());
    if (properties.length > 0) this.systemd.setProperties(this.unit, properties);
    this.files.set(r);
  }

  pids(recursive?: boolean): number[] {
    return this.files.pids(recursive);
  }

  freeze(): void {
    this.files.freeze();
  }

  thaw(): void {
    this.files.thaw();
  }

  freezerState(): FreezerState {
    return this.files.freezerState();
  }

  killAll(signal: number): void {
    this.files.killAll(signal);
  }

  stats(): StatsEvent {
    return this.files.stats();
  }

  oomWatch(): OomWatch {
    return this.files.oomWatch();
  }

  /**
   * Stops the unit (systemd removes its cgroup), then removes what systemd did not make. A
   * loaded unit of that name that this container did not start (a create that failed on the
   * name, or was killed before it started its own) is someone else's: nothing is touched then.
   * No unit at all is a scope systemd dropped once its processes were gone.
   */
  destroy(): void {
    const found = this.#started ? this.#description : this.systemd.description(this.unit);
    if (found !== undefined && found !== this.#description) return;
    if (found !== undefined) this.systemd.stopUnit(this.unit);
    this.files.destroy();
  }

  exists(): boolean {
    return this.files.exists();
  }
}
