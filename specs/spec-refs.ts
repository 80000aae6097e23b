// The runtime-spec section that governs each part of config.json, so every problem can cite
// where its rule is written (the named anchors of the spec's markdown, stable across releases).

/** Pointer prefixes and their sections, most specific first. */
const SECTIONS: readonly (readonly [string, string])[] = [
  ["/ociVersion", "config.md#configSpecificationVersion"],
  ["/root", "config.md#configRoot"],
  ["/mounts", "config.md#configMounts"],
  ["/process/user", "config.md#configPOSIXUser"],
  ["/process/rlimits", "config.md#configPOSIXProcess"],
  ["/process/noNewPrivileges", "config.md#configPOSIXProcess"],
  ["/process/capabilities", "config.md#configLinuxProcess"],
  ["/process/apparmorProfile", "config.md#configLinuxProcess"],
  ["/process/oomScoreAdj", "config.md#configLinuxProcess"],
  ["/process/selinuxLabel", "config.md#configLinuxProcess"],
  ["/process/scheduler", "config.md#configLinuxProcess"],
  ["/process/ioPriority", "config.md#configLinuxProcess"],
  ["/process/execCPUAffinity", "config.md#configLinuxProcess"],
  ["/process", "config.md#configProcess"],
  ["/hostname", "config.md#configHostname"],
  ["/domainname", "config.md#configDomainname"],
  ["/hooks", "config.md#configHooks"],
  ["/annotations", "config.md#configAnnotations"],
  ["/linux/namespaces", "config-linux.md#configLinuxNamespaces"],
  ["/linux/uidMappings", "config-linux.md#configLinuxUserNamespaceMappings"],
  ["/linux/gidMappings", "config-linux.md#configLinuxUserNamespaceMappings"],
  ["/linux/timeOffsets", "config-linux.md#configLinuxTimeOffset"],
  ["/linux/devices", "config-linux.md#configLinuxDevices"],
  ["/linux/netDevices", "config-linux.md#configLinuxNetworkDevices"],
  ["/linux/cgroupsPath", "config-linux.md#configLinuxCgroupsPath"],
  ["/linux/resources/devices", "config-linux.md#configLinuxDeviceAllowedlist"],
  ["/linux/resources/memory", "config-linux.md#configLinuxMemory"],
  ["/linux/resources/cpu", "config-linux.md#configLinuxCPU"],
  ["/linux/resources/blockIO", "config-linux.md#configLinuxBlockIO"],
  ["/linux/resources/hugepageLimits", "config-linux.md#configLinuxHugePageLimits"],
  ["/linux/resources/network", "config-linux.md#configLinuxNetwork"],
  ["/linux/resources/pids", "config-linux.md#configLinuxPIDS"],
  ["/linux/resources/rdma", "config-linux.md#configLinuxRDMA"],
  ["/linux/resources/unified", "config-linux.md#configLinuxUnified"],
  ["/linux/resources", "config-linux.md#configLinuxControlGroups"],
  ["/linux/intelRdt", "config-linux.md#configLinuxIntelRdt"],
  ["/linux/sysctl", "config-linux.md#configLinuxSysctl"],
  ["/linux/seccomp", "config-linux.md#configLinuxSeccomp"],
  ["/linux/rootfsPropagation", "config-linux.md#configLinuxRootfsMountPropagation"],
  ["/linux/maskedPaths", "config-linux.md#configLinuxMaskedPaths"],
  ["/linux/readonlyPaths", "config-linux.md#configLinuxReadonlyPaths"],
  ["/linux/mountLabel", "config-linux.md#configLinuxMountLabel"],
  ["/linux/personality", "config-linux.md#configLinuxPersonality"],
  ["/linux", "config-linux.md#linuxContainerConfiguration"],
];

/**
 * The section a problem at `ptr` falls under. The document as a whole and anything else fall
 * to bundle.md (config.json MUST be a file in the bundle) and config.md's "Valid values" (a
 * runtime MUST generate an error for invalid or unsupported values).
 */
export function specSection(ptr: string): string {
  if (ptr === "") return "bundle.md#containerFormat01";
  const hit = SECTIONS.find(([p]) => ptr === p || ptr.startsWith(p + "/"));
  return hit ? hit[1] : "config.md#valid-values";
}
