// LinuxKit's runtime.json without root: its checks, the plan of steps made from it, what the
// state records for delete, and the rtnetlink messages the plan's link steps send.
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type RuntimeJson, validateRuntimeJson } from "../../specs/linuxkit.ts";
import { planRuntime, type Step } from "../../runtime/linuxkit/plan.ts";
import { ackErrno, linkRequest } from "../../syscalls/netlink.ts";
import { MS } from "../../syscalls/mount.ts";
import { Store } from "../../runtime/state/store.ts";

const errors = (data: unknown, ctx = {}) =>
  validateRuntimeJson(data, ctx).problems.filter((p) => p.severity === "error")
    .map((p) => `${p.pointer}: ${p.message}`);

Deno.test("runtime.json: LinuxKit's own documents are valid", () => {
  const writable = {
    mounts: [
      { source: "tmpfs", type: "tmpfs", destination: "/containers/onboot/000-a/tmp" },
      { destination: "/containers/onboot/000-a/tmp", options: ["remount", "private"] },
      {
        source: "overlay",
        type: "overlay",
        destination: "/containers/onboot/000-a/rootfs",
        options: [
          "lowerdir=/containers/onboot/000-a/lower",
          "upperdir=/containers/onboot/000-a/tmp/upper",
          "workdir=/containers/onboot/000-a/tmp/work",
        ],
      },
    ],
    mkdir: ["/var/lib/docker"],
    cgroups: ["podruntime/docker"],
    interfaces: [{ name: "eth1", peer: "veth1" }, { name: "br0", add: "bridge" }, {
      name: "eth0",
    }],
    bindNS: { net: "/run/netns/svc", uts: "" },
    namespace: "services.linuxkit",
  };
  const r = validateRuntimeJson(writable, { networkNamespace: true });
  assertEquals(r.problems, []);
  assert(r.runtime);
});

Deno.test("runtime.json: each mistake is an error at its field", () => {
  assertEquals(errors({ interfaces: [{ name: "lk0", add: "veth" }] }), [
    "/interfaces/0: veth needs a peer",
  ]);
  assertEquals(errors({ interfaces: [{ peer: "lk1" }] }), ["/interfaces/0/name: required"]);
  assertEquals(errors({ interfaces: [{ name: "lk0", add: "bridge", peer: "lk1" }] }), [
    "/interfaces/0/peer: only a veth has a peer, not bridge",
  ]);
  assertEquals(errors({ interfaces: [{ name: "lk0", peer: "lk0" }] }), [
    "/interfaces/0/peer: must differ from name",
  ]);
  assertEquals(errors({ interfaces: [{ name: "a-name-far-too-long" }] }), [
    '/interfaces/0/name: "a-name-far-too-long" is longer than 15 bytes',
  ]);
  assertEquals(errors({ interfaces: [{ name: "eth0", createInRoot: true }] }), [
    "/interfaces/0/createInRoot: needs add: an existing link is moved in, not created",
  ]);
  assertEquals(errors({ interfaces: [{ name: "eth0" }] }, { networkNamespace: false }), [
    "/interfaces: needs a network namespace in config.json's linux.namespaces",
  ]);
  assertEquals(errors({ mounts: [{ destination: "x", options: ["rro", "upperdir=up"] }] }), [
    '/mounts/0/options/0: "rro" is not a mount(2) flag',
    '/mounts/0/options/1: upperdir must be an absolute path, got "up"',
  ]);
  assertEquals(errors({ mounts: [{ destination: "" }] }), [
    "/mounts/0/destination: must not be empty",
  ]);
  assertEquals(errors({ cgroups: ["../escape", "/"] }), [
    '/cgroups/0: "../escape" leads out of the cgroup root',
    "/cgroups/1: must name a cgroup",
  ]);
  assertEquals(errors({ bindNS: { net: "run/netns/x" } }), [
    '/bindNS/net: must be an absolute path, got "run/netns/x"',
  ]);
  assertEquals(errors({ mounts: {} }), ["/mounts: expected array, got an object"]);
  const unknown = validateRuntimeJson({ bindNs: {} }).problems;
  assertEquals(unknown.map((p) => [p.severity, p.pointer]), [["warning", "/bindNs"]]);
});

const plan = (r: RuntimeJson) =>
  planRuntime(r, { rootfs: "/b/rootfs", cgroupRoots: ["/cg/memory", "/cg/unified"] });

Deno.test("plan: mounts in order, relative ones in the rootfs, flags and data split", () => {
  const { before, after } = plan({
    mounts: [
      { destination: "tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=1777"] },
      { destination: "/x/tmp", options: ["remount", "private"] },
      {
        destination: "/x/rootfs",
        type: "overlay",
        source: "overlay",
        options: ["lowerdir=/x/lower", "upperdir=/x/tmp/upper", "workdir=/x/tmp//work/"],
      },
      { destination: "/x/bind", source: "/x/src", options: ["rbind", "ro"] },
      { destination: "/x/p", options: ["rshared"] },
    ],
  });
  assertEquals(after, []);
  assertEquals(
    before,
    [
      {
        field: "/mounts/0",
        do: "mount",
        source: "tmpfs",
        target: { path: "/tmp", root: "/b/rootfs" },
        type: "tmpfs",
        flags: MS.NOSUID,
        data: "mode=1777",
        dirs: [],
        makesMount: true,
      },
      {
        field: "/mounts/1",
        do: "mount",
        source: "",
        target: { path: "/x/tmp" },
        type: "",
        flags: MS.REMOUNT | MS.PRIVATE,
        data: "",
        dirs: [],
        makesMount: false,
      },
      {
        field: "/mounts/2",
        do: "mount",
        source: "overlay",
        target: { path: "/x/rootfs" },
        type: "overlay",
        flags: 0,
        data: "lowerdir=/x/lower,upperdir=/x/tmp/upper,workdir=/x/tmp//work/",
        dirs: ["/x/tmp/upper", "/x/tmp/work"],
        makesMount: true,
      },
      {
        field: "/mounts/3",
        do: "mount",
        source: "/x/src",
        target: { path: "/x/bind" },
        type: "",
        flags: MS.BIND | MS.REC | MS.RDONLY,
        data: "",
        dirs: [],
        makesMount: true,
      },
      {
        field: "/mounts/4",
        do: "mount",
        source: "",
        target: { path: "/x/p" },
        type: "",
        flags: MS.SHARED | MS.REC,
        data: "",
        dirs: [],
        makesMount: false,
      },
    ] satisfies Step[],
  );
});

Deno.test("plan: mkdir after the mounts, then a cgroup in every hierarchy", () => {
  const { before } = plan({
    cgroups: ["/podruntime//docker"],
    mkdir: ["/var/lib/x", "var/run"],
    mounts: [{ destination: "/m", type: "tmpfs", source: "tmpfs" }],
  });
  assertEquals(before.map((s) => s.field), ["/mounts/0", "/mkdir/0", "/mkdir/1", "/cgroups/0"]);
  assertEquals(
    before.slice(1),
    [
      { field: "/mkdir/0", do: "mkdir", dir: { path: "/var/lib/x" } },
      { field: "/mkdir/1", do: "mkdir", dir: { path: "/var/run", root: "/b/rootfs" } },
      {
        field: "/cgroups/0",
        do: "cgroup",
        dirs: ["/cg/memory/podruntime/docker", "/cg/unified/podruntime/docker"],
      },
    ] satisfies Step[],
  );
});

Deno.test("plan: interfaces (a peer means veth, made in root), then bindNS in a fixed order", () => {
  const { before, after } = plan({
    interfaces: [
      { name: "lk0", peer: "lk1" },
      { name: "lkbr", add: "bridge" },
      { name: "lkvx", add: "vxlan", createInRoot: true },
      { name: "eth9" },
    ],
    bindNS: { uts: "/run/ns/uts", net: "/run/ns//net", ipc: "" },
  });
  assertEquals(before, []);
  assertEquals(
    after,
    [
      {
        field: "/interfaces/0",
        do: "add-link",
        name: "lk0",
        kind: "veth",
        peer: "lk1",
        inRoot: true,
      },
      {
        field: "/interfaces/1",
        do: "add-link",
        name: "lkbr",
        kind: "bridge",
        peer: undefined,
        inRoot: false,
      },
      {
        field: "/interfaces/2",
        do: "add-link",
        name: "lkvx",
        kind: "vxlan",
        peer: undefined,
        inRoot: true,
      },
      { field: "/interfaces/3", do: "move-link", name: "eth9" },
      { field: "/bindNS/net", do: "bind-ns", ns: "net", path: "/run/ns/net" },
      { field: "/bindNS/uts", do: "bind-ns", ns: "uts", path: "/run/ns/uts" },
    ] satisfies Step[],
  );
});

Deno.test("netlink: a veth request nests its peer, and the ack's errno is read", () => {
  const msg = linkRequest(16, 0x600, 7, [[3, "lk0"], [18, [[1, "veth"], [2, [[
    1,
    new Uint8Array(16),
  ]]]]]]);
  const v = new DataView(msg.buffer);
  assertEquals(v.getUint32(0, true), msg.length);
  assertEquals([v.getUint16(4, true), v.getUint16(6, true), v.getUint32(8, true)], [16, 0x605, 7]);
  // After nlmsghdr and ifinfomsg: IFLA_IFNAME "lk0\0" (len 8), then IFLA_LINKINFO, nested.
  assertEquals([v.getUint16(32, true), v.getUint16(34, true)], [8, 3]);
  assertEquals(new TextDecoder().decode(msg.subarray(36, 39)), "lk0");
  assertEquals(v.getUint16(42, true), 18 | 0x8000);
  assertEquals(msg.length % 4, 0);
  const ack = (seq: number, err: number) => {
    const b = new Uint8Array(36);
    const d = new DataView(b.buffer);
    d.setUint32(0, 36, true);
    d.setUint16(4, 2, true);
    d.setUint32(8, seq, true);
    d.setInt32(16, err, true);
    return b;
  };
  assertEquals(ackErrno(ack(7, -17), 7), 17);
  assertEquals(ackErrno(ack(7, 0), 7), 0);
  assertEquals(ackErrno(ack(6, 0), 7), undefined);
});

Deno.test("state: the recorded mounts come back as written; junk reads as none", () => {
  const root = Deno.makeTempDirSync({ prefix: "tsrun-lk-store-" });
  try {
    const store = new Store(root);
    Deno.mkdirSync(store.dir("lk-a"));
    assertEquals(store.runtimeMounts("lk-a"), []);
    const mounts = [{ path: "/x/rootfs" }, { path: "/tmp", root: "/x/rootfs" }];
    store.recordRuntimeMounts("lk-a", mounts);
    assertEquals(store.runtimeMounts("lk-a"), mounts);
    Deno.writeTextFileSync(`${store.dir("lk-a")}/runtime-mounts.json`, '[{"path": 1}, "/y", {}]');
    assertEquals(store.runtimeMounts("lk-a"), []);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
