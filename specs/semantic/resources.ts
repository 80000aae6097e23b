// `linux.resources` beyond its types: ranges, list syntax, cross-field rules. Zod-free, like every
// semantic check, so that a command can run them without loading the schemas.
import { error, pointer, type Problem, warning } from "../problem.ts";
import type { LinuxResources } from "../resources.ts";

/** "0-3,7": comma-separated numbers and ascending ranges (cpuset.cpus / cpuset.mems syntax). */
export function isCpuList(s: string): boolean {
  return s.split(",").every((part) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    return m !== null && (m[2] === undefined || Number(m[1]) <= Number(m[2]));
  });
}

/** "2MB", "64KB", "1GB": the `<size><unit>B` form the hugetlb control files are named with. */
export const PAGE_SIZE_RE = /^[1-9]\d*[KMG]B$/;

/** Semantic checks on a parsed `linux.resources`; pointers are JSON pointers under `at`. */
export function checkResources(r: LinuxResources, at: string): Problem[] {
  const out: Problem[] = [];
  // "memory/swap", or segments when a key may itself hold "/" (rdma devices, unified files).
  const where = (path: string | string[]) =>
    at + pointer(...(typeof path === "string" ? path.split("/") : path));
  const bad = (path: string | string[], message: string) => out.push(error(where(path), message));
  const warn = (path: string, message: string) => out.push(warning(where(path), message));

  r.devices?.forEach((d, i) => {
    if (d.type !== undefined && !["a", "b", "c"].includes(d.type)) {
      bad(`devices/${i}/type`, `device type must be "a", "b" or "c", got "${d.type}"`);
    }
    if (d.access !== undefined && !/^(?!.*(.).*\1)[rwm]*$/.test(d.access)) {
      bad(
        `devices/${i}/access`,
        `device access must combine r, w, m once each, got "${d.access}"`,
      );
    }
    for (const k of ["major", "minor"] as const) {
      const v = d[k];
      if (v !== undefined && v < -1) bad(`devices/${i}/${k}`, `must be >= 0 (or -1 for all)`);
    }
  });

  const m = r.memory;
  if (m) {
    for (const k of ["limit", "reservation", "swap"] as const) {
      const v = m[k];
      if (v !== undefined && v < -1) bad(`memory/${k}`, `must be a byte count or -1, got ${v}`);
    }
    if (m.swap !== undefined && m.limit !== undefined && m.swap > 0 && m.limit > 0) {
      if (m.swap < m.limit) {
        bad("memory/swap", `memory+swap limit ${m.swap} is below the memory limit ${m.limit}`);
      }
    }
    if (m.kernel !== undefined) warn("memory/kernel", "kernel memory limits are ignored");
    if (m.kernelTCP !== undefined) warn("memory/kernelTCP", "kernel memory limits are ignored");
    if (m.swappiness !== undefined && m.swappiness > 100) {
      bad("memory/swappiness", `must be 0..100, got ${m.swappiness}`);
    }
  }

  const c = r.cpu;
  if (c) {
    if (c.period !== undefined && c.period !== 0 && (c.period < 1000 || c.period > 1000000)) {
      bad("cpu/period", `must be 1000..1000000 microseconds, got ${c.period}`);
    }
    if (c.quota !== undefined && c.quota !== -1 && c.quota !== 0 && c.quota < 1000) {
      bad("cpu/quota", `must be >= 1000 microseconds or -1, got ${c.quota}`);
    }
    if (c.burst !== undefined && c.quota !== undefined && c.quota > 0 && c.burst > c.quota) {
      bad("cpu/burst", `burst ${c.burst} is larger than quota ${c.quota}`);
    }
    if (c.idle !== undefined && c.idle !== 0 && c.idle !== 1) {
      bad("cpu/idle", `must be 0 or 1, got ${c.idle}`);
    }
    for (const k of ["cpus", "mems"] as const) {
      const v = c[k];
      if (v !== undefined && v !== "" && !isCpuList(v)) {
        bad(`cpu/${k}`, `"${v}" is not a list like "0-3,7"`);
      }
    }
  }

  const b = r.blockIO;
  if (b) {
    for (const k of ["weight", "leafWeight"] as const) {
      const v = b[k];
      if (v !== undefined && v !== 0 && (v < 10 || v > 1000)) {
        bad(`blockIO/${k}`, `must be 10..1000, got ${v}`);
      }
    }
    b.weightDevice?.forEach((d, i) => {
      if (d.weight === undefined && d.leafWeight === undefined) {
        bad(`blockIO/weightDevice/${i}`, "needs weight or leafWeight");
      }
      for (const k of ["weight", "leafWeight"] as const) {
        const v = d[k];
        if (v !== undefined && (v < 10 || v > 1000)) {
          bad(`blockIO/weightDevice/${i}/${k}`, `must be 10..1000, got ${v}`);
        }
      }
    });
    const lists = [
      "weightDevice",
      "throttleReadBpsDevice",
      "throttleWriteBpsDevice",
      "throttleReadIOPSDevice",
      "throttleWriteIOPSDevice",
    ] as const;
    for (const k of lists) {
      b[k]?.forEach((d, i) => {
        if (d.major < 0 || d.minor < 0) bad(`blockIO/${k}/${i}`, "major and minor must be >= 0");
      });
    }
  }

  r.hugepageLimits?.forEach((h, i) => {
    if (!PAGE_SIZE_RE.test(h.pageSize)) {
      bad(`hugepageLimits/${i}/pageSize`, `"${h.pageSize}" is not a size like "2MB" or "1GB"`);
    }
  });

  r.network?.priorities?.forEach((p, i) => {
    if (p.name === "" || /[\s/]/.test(p.name)) {
      bad(`network/priorities/${i}/name`, `"${p.name}" is not an interface name`);
    }
  });

  for (const [dev, v] of Object.entries(r.rdma ?? {})) {
    if (v.hcaHandles === undefined && v.hcaObjects === undefined) {
      bad(["rdma", dev], "needs hcaHandles or hcaObjects");
    }
  }

  for (const key of Object.keys(r.unified ?? {})) {
    if (!/^[a-z_0-9]+\.[A-Za-z0-9_.]+$/.test(key)) {
      bad(["unified", key], `"${key}" is not a cgroup file name like "io.max"`);
    }
  }
  return out;
}
