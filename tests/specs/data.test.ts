// The name tables, the default spec and the features document.
import assert from "node:assert/strict";
import { CAPABILITIES, capabilityBit } from "../../specs/capabilities.ts";
import { FeaturesSchema, validateConfig } from "../../specs/config.ts";
import { defaultSpec } from "../../specs/default-spec.ts";
import { features, IMPLEMENTED } from "../../specs/implemented.ts";
import { isBind, isKnownMountOption, MOUNT_OPTIONS } from "../../specs/mount-options.ts";
import { rlimitResource } from "../../specs/rlimits.ts";
import { normalizeSysctl, sysctlNamespace } from "../../specs/semantic/sysctl.ts";
import { archsWithTables, isKnownSyscall } from "../../specs/syscalls.ts";
import { BUNDLE } from "./util.ts";

Deno.test("capability names map to their bit numbers", () => {
  assert.equal(CAPABILITIES.length, 41);
  assert.equal(capabilityBit("CAP_CHOWN"), 0);
  assert.equal(capabilityBit("CAP_SYS_ADMIN"), 21);
  assert.equal(capabilityBit("CAP_PERFMON"), 38);
  assert.equal(capabilityBit("CAP_BPF"), 39);
  assert.equal(capabilityBit("CAP_CHECKPOINT_RESTORE"), 40);
  assert.equal(capabilityBit("CAP_FLY"), undefined);
});

Deno.test("rlimit names map to their resource numbers", () => {
  assert.equal(rlimitResource("RLIMIT_CPU"), 0);
  assert.equal(rlimitResource("RLIMIT_NOFILE"), 7);
  assert.equal(rlimitResource("RLIMIT_RTTIME"), 15);
  assert.equal(rlimitResource("RLIMIT_FOO"), undefined);
});

Deno.test("syscall tables per architecture", () => {
  const x64 = ["SCMP_ARCH_X86_64"];
  const arm = ["SCMP_ARCH_AARCH64"];
  const x86 = ["SCMP_ARCH_X86"];
  assert.ok(
    isKnownSyscall("read", x64) && isKnownSyscall("read", arm) && isKnownSyscall("read", x86),
  );
  assert.ok(isKnownSyscall("open", x64) && !isKnownSyscall("open", arm));
  assert.ok(isKnownSyscall("socketcall", x86) && !isKnownSyscall("socketcall", x64));
  assert.ok(isKnownSyscall("clone3", arm) && isKnownSyscall("fchmodat2", x64));
  assert.ok(!isKnownSyscall("frobnicate", [...x64, ...arm, ...x86]));
  assert.deepEqual(archsWithTables(["SCMP_ARCH_S390X", "SCMP_ARCH_X32"]), ["SCMP_ARCH_X32"]);
});

Deno.test("mount options: every option the spec requires is recognized", () => {
  const required = "async atime bind defaults dev diratime dirsync exec iversion lazytime loud " +
    "noatime nodev nodiratime noexec noiversion nolazytime norelatime nostrictatime nosuid " +
    "private rbind relatime remount ro rprivate rshared rslave runbindable rw shared silent " +
    "slave strictatime suid sync unbindable";
  for (const o of required.split(" ")) assert.ok(isKnownMountOption(o), o);
  assert.ok(!isKnownMountOption("mode=755"));
  assert.deepEqual(MOUNT_OPTIONS, [...new Set(MOUNT_OPTIONS)].sort());
  assert.ok(isBind(["ro", "rbind"]) && !isBind(["ro"]) && !isBind(undefined));
});

Deno.test("sysctl names: / separators and namespaces", () => {
  assert.equal(
    normalizeSysctl("net/ipv4/conf/eth0.100/rp_filter"),
    "net.ipv4.conf.eth0/100.rp_filter",
  );
  assert.equal(normalizeSysctl("net.ipv4.ip_forward"), "net.ipv4.ip_forward");
  assert.equal(sysctlNamespace("kernel.shm_rmid_forced"), "ipc");
  assert.equal(sysctlNamespace("fs.mqueue.queues_max"), "ipc");
  assert.equal(sysctlNamespace("kernel.domainname"), "uts");
  assert.equal(sysctlNamespace("kernel.pid_max"), undefined);
});

Deno.test("the default spec validates in every variant", () => {
  for (const cgroupNamespace of [false, true]) {
    for (const rootless of [undefined, { uid: 1000, gid: 1000 }]) {
      const config = defaultSpec({ cgroupNamespace, rootless });
      const types = config.linux?.namespaces?.map((ns) => ns.type) ?? [];
      assert.equal(types.includes("cgroup"), cgroupNamespace);
      assert.equal(types.includes("user"), rootless !== undefined);
      assert.equal(types.includes("network"), rootless === undefined);
      // Round-trip through JSON, as `tsrun spec` writes it and validate reads it.
      const { problems } = validateConfig(JSON.parse(JSON.stringify(config)), BUNDLE);
      assert.deepEqual(problems, [], JSON.stringify({ cgroupNamespace, rootless }));
    }
  }
  const rootless = defaultSpec({ cgroupNamespace: false, rootless: { uid: 1000, gid: 1001 } });
  assert.deepEqual(rootless.linux?.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }]);
  const devpts = rootless.mounts?.find((m) => m.destination === "/dev/pts");
  assert.ok(!devpts?.options?.some((o) => o.startsWith("gid=")));
  // Each call builds a fresh object: rootless edits must not leak into the next spec.
  const again = defaultSpec({ cgroupNamespace: false });
  assert.ok(again.mounts?.find((m) => m.destination === "/dev/pts")?.options?.includes("gid=5"));
});

Deno.test("features are built from IMPLEMENTED and match the features schema", () => {
  const f = features();
  assert.ok(FeaturesSchema.safeParse(f).success);
  assert.deepEqual(f.linux?.namespaces, [...IMPLEMENTED.namespaces]);
  assert.deepEqual(f.linux?.cgroup, IMPLEMENTED.cgroup);
  assert.equal(f.linux?.seccomp?.enabled, IMPLEMENTED.seccomp);
  if (!IMPLEMENTED.seccomp) assert.equal(f.linux?.seccomp?.actions, undefined);
  assert.equal(f.linux?.mountExtensions?.idmap?.enabled, IMPLEMENTED.idmapMounts);
});
