// The transient unit a container gets under the systemd driver, from its cgroupsPath, following
// runc: "slice:prefix:name" → the scope "prefix-name.scope" in "slice"; an empty cgroupsPath →
// "system.slice:tsrun:<id>". Where systemd puts it follows from the slice's name: "a-b.slice"
// lives under "a.slice" (systemd.slice(5)).
import { CgroupError } from "../files.ts";

export interface Unit {
  /** The scope unit, e.g. "tsrun-abc.scope". */
  name: string;
  slice: string;
  /** Its cgroup relative to systemd's root cgroup, e.g. "/system.slice/tsrun-abc.scope". */
  path: string;
}

const DEFAULT_SLICE = "system.slice";
const PREFIX = "tsrun";

/** "a-b-c.slice" → "/a.slice/a-b.slice/a-b-c.slice"; "-.slice", the root slice, → "". */
export function slicePath(slice: string): string {
  const bad = (why: string) => new CgroupError(`cgroupsPath: slice "${slice}" ${why}`);
  if (!slice.endsWith(".slice")) throw bad('must end in ".slice"');
  if (slice === "-.slice") return "";
  const base = slice.slice(0, -".slice".length);
  if (!/^[A-Za-z0-9:_.\\-]+$/.test(base)) throw bad("is not a valid unit name");
  if (base.startsWith("-") || base.endsWith("-") || base.includes("--")) {
    throw bad('has an empty part between "-"');
  }
  const parts = base.split("-");
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join("-")}.slice`).join("");
}

/** The unit for a container; throws a one-line error for a cgroupsPath not of the form. */
export function unitFor(cgroupsPath: string | undefined, id: string): Unit {
  const raw = cgroupsPath || `${DEFAULT_SLICE}:${PREFIX}:${id}`;
  const parts = raw.split(":");
  if (parts.length !== 3) {
    throw new CgroupError(
      `cgroupsPath "${raw}": the systemd cgroup driver needs the form "slice:prefix:name"`,
    );
  }
  const [sliceField, prefix, name] = parts;
  if (name === "") throw new CgroupError(`cgroupsPath "${raw}": the name part is empty`);
  if (name.endsWith(".slice")) {
    throw new CgroupError(
      `cgroupsPath "${raw}": a slice as the container's own unit is not supported`,
    );
  }
  const slice = sliceField || DEFAULT_SLICE;
  const unit = `${prefix ? `${prefix}-` : ""}${name}.scope`;
  if (!/^[A-Za-z0-9:_.\\-]+$/.test(unit) || unit.length > 255) {
    throw new CgroupError(`cgroupsPath "${raw}": "${unit}" is not a valid unit name`);
  }
  return { name: unit, slice, path: `${slicePath(slice)}/${unit}` };
}
