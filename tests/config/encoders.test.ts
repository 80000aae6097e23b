// The pure pieces behind config fields (no root needed): sched_attr and ioprio encodings, CPU
// lists, HOME lookup, the /proc mount rules and cgroup hierarchy parsing.
import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { cpuListMask, ioprioValue, schedAttr } from "../../process/process-attrs.ts";
import { checkProcMount } from "../../init/proc-mount.ts";
import { hierarchies, ownPaths } from "../../init/cgroup-mount.ts";

Deno.test("sched_attr: size, policy, flags, nice, priority, deadline parameters", () => {
  const v = new DataView(
    schedAttr({
      policy: "SCHED_DEADLINE",
      flags: ["SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_DL_OVERRUN"],
      runtime: 1000,
      deadline: 2000,
      period: 3000,
    }).buffer,
  );
  assertEquals(
    [v.getUint32(0, true), v.getUint32(4, true), v.getBigUint64(8, true)],
    [56, 6, 0x5n],
  );
  assertEquals(
    [v.getBigUint64(24, true), v.getBigUint64(32, true), v.getBigUint64(40, true)],
    [1000n, 2000n, 3000n],
  );
  const other = new DataView(schedAttr({ policy: "SCHED_RR", priority: 9, nice: -3 }).buffer);
  assertEquals([other.getUint32(4, true), other.getInt32(16, true), other.getUint32(20, true)], [
    2,
    -3,
    9,
  ]);
});

Deno.test("ioprio: class in bits 13 and up, level below", () => {
  assertEquals(ioprioValue({ class: "IOPRIO_CLASS_RT", priority: 3 }), (1 << 13) | 3);
  assertEquals(ioprioValue({ class: "IOPRIO_CLASS_IDLE", priority: 0 }), 3 << 13);
});

Deno.test("CPU lists: ranges and singles to a bit mask in 8-byte words", () => {
  assertEquals([...cpuListMask("0-3,7")], [0x8f, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals(cpuListMask("64").length, 16);
  assertEquals(cpuListMask("64")[8], 1);
  throws(() => cpuListMask("3-1"), /invalid CPU list/);
  throws(() => cpuListMask(" , "), /empty CPU list/);
});

Deno.test("/proc: only procfs on /proc, only lxcfs-style files under it", () => {
  const proc = { bind: false, type: "proc" };
  const tmpfs = { bind: false, type: "tmpfs" };
  const bind = { bind: true, type: "bind" };
  checkProcMount("/proc", proc);
  checkProcMount("/proc", bind, 0x9fa0);
  checkProcMount("/proc/meminfo", bind, 0xef53);
  checkProcMount("/procfoo", tmpfs);
  throws(() => checkProcMount("/proc", tmpfs), /not of type proc/);
  throws(() => checkProcMount("/proc", bind, 0xef53), /not of type proc/);
  throws(() => checkProcMount("/proc/sys/kernel", tmpfs), /inside \/proc/);
});

Deno.test("cgroup hierarchies and own paths from mountinfo and /proc/self/cgroup", () => {
  const mountinfo = [
    "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755",
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
    "33 31 0:30 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
    "34 31 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate",
    // The same hierarchies again where a rootless config rbinds /sys into its rootfs.
    "40 39 0:28 / /b/rootfs/sys/fs/cgroup ro - tmpfs tmpfs rw,mode=755",
    "41 40 0:29 / /b/rootfs/sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpuacct,cpu",
    "42 40 0:31 / /b/rootfs/sys/fs/cgroup/unified ro - cgroup2 cgroup2 rw,nsdelegate",
  ].join("\n");
  assertEquals(hierarchies(mountinfo), [
    { mountpoint: "/sys/fs/cgroup/cpu,cpuacct", fstype: "cgroup", controllers: ["cpu", "cpuacct"] },
    { mountpoint: "/sys/fs/cgroup/systemd", fstype: "cgroup", controllers: ["name=systemd"] },
    { mountpoint: "/sys/fs/cgroup/unified", fstype: "cgroup2", controllers: [] },
  ]);
  const own = ownPaths("2:cpuacct,cpu:/a\n1:name=systemd:/b\n0::/c\n");
  assertEquals([own.get("cpu,cpuacct"), own.get("name=systemd"), own.get("")], ["/a", "/b", "/c"]);
});
