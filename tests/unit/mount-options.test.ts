import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { MOUNT_ATTR, parseMountOptions, statfsToMountFlags } from "../../init/mount-options.ts";
import { MS } from "../../syscalls/mount.ts";

Deno.test("flags set and clear in order; unknown options become fs data", () => {
  const o = parseMountOptions(["nosuid", "noexec", "ro", "rw", "mode=755", "size=65536k"]);
  assertEquals(o.flags, MS.NOSUID | MS.NOEXEC);
  assertEquals(o.cleared, MS.RDONLY, "rw asked for read-write explicitly");
  assertEquals(o.data, "mode=755,size=65536k");
  const again = parseMountOptions(["suid", "rw", "nosuid", "ro"]);
  assertEquals([again.flags, again.cleared], [MS.NOSUID | MS.RDONLY, 0], "the last word wins");
});

Deno.test("rbind, propagation and recursive attributes", () => {
  const o = parseMountOptions(["rbind", "rslave", "private", "rro", "rnoatime", "ratime"]);
  assertEquals(o.flags, MS.BIND | MS.REC);
  assertEquals(o.propagation, [MS.SLAVE | MS.REC, MS.PRIVATE]);
  assertEquals(o.attrSet, MOUNT_ATTR.RDONLY);
  assertEquals(o.attrClear, MOUNT_ATTR._ATIME);
});

Deno.test("idmap and tmpcopyup are recorded, not passed to the kernel", () => {
  const o = parseMountOptions(["bind", "idmap"]);
  assertEquals([o.idmap, o.tmpcopyup, o.data], ["idmap", false, ""]);
  const t = parseMountOptions(["tmpcopyup", "ridmap", "size=1m"]);
  assertEquals([t.idmap, t.tmpcopyup, t.data], ["ridmap", true, "size=1m"]);
});

Deno.test("statfs flags map to mount flags; no atime flag means strictatime", () => {
  const ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_RELATIME = 0x1000, ST_NOSYMFOLLOW = 0x2000;
  assertEquals(
    statfsToMountFlags(ST_RDONLY | ST_NOSUID | ST_NODEV | ST_RELATIME | ST_NOSYMFOLLOW),
    MS.RDONLY | MS.NOSUID | MS.NODEV | MS.RELATIME | MS.NOSYMFOLLOW,
  );
  assertEquals(statfsToMountFlags(0), MS.STRICTATIME);
  assertEquals(statfsToMountFlags(0x400), MS.NOATIME);
});
