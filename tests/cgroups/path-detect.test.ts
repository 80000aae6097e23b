// Where cgroups live: layout detection and cgroupsPath resolution.
import assert from "node:assert/strict";
import { detectHost, parseMountinfo } from "../../runtime/cgroups/detect.ts";
import { hierarchyDir, parseCgroupsPath, parseProcCgroup } from "../../runtime/cgroups/path.ts";
import { fakeCgroup } from "./fake-host.ts";

const HYBRID = `31 23 0:28 / /fake/cg rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /fake/cg/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 / /fake/cg/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /fake/cg/freezer rw,relatime shared:9 - cgroup cgroup rw,freezer
40 31 0:37 / /fake/cg/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /fake/cg/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
50 22 0:40 / /other/mnt rw - cgroup cgroup rw,pids`;

Deno.test("mountinfo: optional fields, escapes, super options", () => {
  const m = parseMountinfo(
    "36 35 98:0 /a\\040b /mnt\\040x rw shared:1 master:2 - cgroup cg rw,memory",
  );
  assert.deepEqual(m, [{
    mountRoot: "/a b",
    mountpoint: "/mnt x",
    fstype: "cgroup",
    superOptions: ["rw", "memory"],
  }]);
});

Deno.test("detect: hybrid host from mountinfo (co-mounted and named hierarchies)", () => {
  const h = detectHost("/fake/cg", HYBRID);
  assert.equal(h.layout, "hybrid");
  assert.deepEqual(h.v1.map((x) => x.controllers.join(",")), [
    "cpu,cpuacct",
    "memory",
    "freezer",
    "name=systemd",
  ]);
  assert.equal(h.unified?.mountpoint, "/fake/cg/unified");
  assert.equal(h.v1.some((x) => x.controllers.includes("pids")), false, "mounts elsewhere ignored");
  assert.equal(detectHost("/fake/cg", HYBRID, "v1").unified, undefined, "layout override");
});

Deno.test("detect: pure v1 and pure v2 from mountinfo", () => {
  const v1 = HYBRID.split("\n").filter((l) => !l.includes("cgroup2")).join("\n");
  assert.equal(detectHost("/fake/cg", v1).layout, "v1");
  const v2 = "30 23 0:26 / /fake/cg rw - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot";
  const h = detectHost("/fake/cg", v2);
  assert.equal(h.layout, "v2");
  assert.deepEqual(h.v1, []);
  assert.equal(h.unified?.mountpoint, "/fake/cg");
});

Deno.test("detect: an unmounted tree is read by its directory names", () => {
  const root = Deno.makeTempDirSync({ prefix: "tsrun-cg-" });
  try {
    for (const d of ["cpu,cpuacct", "memory", "systemd"]) Deno.mkdirSync(`${root}/${d}`);
    assert.equal(detectHost(root, "").layout, "v1");
    fakeCgroup(`${root}/unified`, { "cgroup.controllers": "hugetlb rdma\n" });
    const h = detectHost(root, "");
    assert.equal(h.layout, "hybrid");
    assert.deepEqual(h.unifiedControllers, ["hugetlb", "rdma"]);
    assert.deepEqual(h.v1.map((x) => x.controllers.join(",")), [
      "cpu,cpuacct",
      "memory",
      "name=systemd",
    ]);
    const v2root = `${root}/v2`;
    fakeCgroup(v2root, { "cgroup.controllers": "cpu memory pids\n" });
    const v2 = detectHost(v2root, "");
    assert.equal(v2.layout, "v2");
    assert.deepEqual(v2.unifiedControllers, ["cpu", "memory", "pids"]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("cgroupsPath: absolute, relative, default, cleaned", () => {
  assert.deepEqual(parseCgroupsPath("/a/b/", "id"), { relative: false, path: "/a/b" });
  assert.deepEqual(parseCgroupsPath("a/b", "id"), { relative: true, path: "a/b" });
  assert.deepEqual(parseCgroupsPath(undefined, "c1"), { relative: true, path: "c1" });
  assert.deepEqual(parseCgroupsPath("", "c1"), { relative: true, path: "c1" });
  assert.deepEqual(parseCgroupsPath("../../etc", "id"), { relative: true, path: "etc" });
  assert.deepEqual(parseCgroupsPath("/../../x//y", "id"), { relative: false, path: "/x/y" });
});

Deno.test("cgroupsPath: systemd form and the root itself are refused", () => {
  assert.throws(
    () => parseCgroupsPath("system.slice:docker:abc", "id"),
    /systemd "slice:prefix:name" form: that needs --systemd-cgroup/,
  );
  assert.throws(() => parseCgroupsPath("/", "id"), /names the cgroup root/);
  assert.throws(() => parseCgroupsPath("/..", "id"), /names the cgroup root/);
  assert.doesNotThrow(() => parseCgroupsPath("/a:b:c", "id"), "absolute paths are never systemd's");
});

Deno.test("own cgroup: /proc/self/cgroup, and where relative paths land", () => {
  const own = parseProcCgroup("12:cpu,cpuacct:/user/me\n4:name=systemd:/init\n0::/user/me/shell\n");
  assert.equal(own.get("cpu"), "/user/me");
  assert.equal(own.get("cpuacct"), "/user/me");
  assert.equal(own.get("name=systemd"), "/init");
  assert.equal(own.get(""), "/user/me/shell");
  const cpu = { controllers: ["cpu", "cpuacct"], mountpoint: "/cg/cpu,cpuacct", mountRoot: "/" };
  const unified = { controllers: [], mountpoint: "/cg", mountRoot: "/" };
  const rel = parseCgroupsPath("c1", "c1");
  assert.equal(hierarchyDir(cpu, rel, own, false), "/cg/cpu,cpuacct/user/me/c1");
  assert.equal(hierarchyDir(unified, rel, own, true), "/cg/user/me/c1", "v2: beside the caller");
  assert.equal(hierarchyDir(unified, rel, own, false), "/cg/user/me/shell/c1");
  assert.equal(hierarchyDir(cpu, parseCgroupsPath("/abs", "x"), own, false), "/cg/cpu,cpuacct/abs");
  const bound = { ...cpu, mountRoot: "/user" };
  assert.equal(
    hierarchyDir(bound, rel, own, false),
    "/cg/cpu,cpuacct/me/c1",
    "mount shows a subtree",
  );
  assert.throws(
    () => hierarchyDir({ ...cpu, controllers: ["memory"] }, rel, own, false),
    /cannot find this process's cgroup for "memory"/,
  );
});
