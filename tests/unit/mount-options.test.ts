import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { MOUNT_ATTR, parseMountOptions } from "../../init/mount-options.ts";
import { MS } from "../../syscalls/mount.ts";

Deno.test("flags set and clear in order; unknown options become fs data", () => {
  const o = parseMountOptions(["nosuid", "noexec", "ro", "rw", "mode=755", "size=65536k"]);
  assertEquals(o.flags, MS.NOSUID | MS.NOEXEC);
  assertEquals(o.data, "mode=755,size=65536k");
});

Deno.test("rbind, propagation and recursive attributes", () => {
  const o = parseMountOptions(["rbind", "rslave", "private", "rro", "rnoatime", "ratime"]);
  assertEquals(o.flags, MS.BIND | MS.REC);
  assertEquals(o.propagation, [MS.SLAVE | MS.REC, MS.PRIVATE]);
  assertEquals(o.attrSet, MOUNT_ATTR.RDONLY);
  assertEquals(o.attrClear, MOUNT_ATTR._ATIME);
});

Deno.test("idmap is recorded, not passed to the kernel", () => {
  const o = parseMountOptions(["bind", "idmap"]);
  assertEquals(o.idmap, "idmap");
  assertEquals(o.data, "");
});
