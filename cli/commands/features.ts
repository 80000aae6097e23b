// `tsrun features`: what this build implements, as the runtime-spec's features JSON.
import type { Command } from "../command.ts";
import type { Features } from "../../specs/config.ts";
import { IMPLEMENTED, MIN_SPEC_VERSION, SPEC_VERSION } from "../../specs/implemented.ts";
import {
  SECCOMP_ACTIONS,
  SECCOMP_ARCHS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from "../../specs/seccomp-names.ts";
import { VERSION } from "../../runtime/version.ts";

export function features(): Features {
  const seccomp: NonNullable<Features["linux"]>["seccomp"] = IMPLEMENTED.seccomp
    ? {
      enabled: true,
      actions: [...SECCOMP_ACTIONS],
      operators: [...SECCOMP_OPERATORS],
      archs: [...SECCOMP_ARCHS],
      knownFlags: [...SECCOMP_FLAGS],
      supportedFlags: [...SECCOMP_FLAGS],
    }
    : { enabled: false };
  return {
    ociVersionMin: MIN_SPEC_VERSION,
    ociVersionMax: SPEC_VERSION,
    hooks: [...IMPLEMENTED.hooks],
    mountOptions: [...IMPLEMENTED.mountOptions],
    linux: {
      namespaces: [...IMPLEMENTED.namespaces],
      capabilities: [...IMPLEMENTED.capabilities],
      cgroup: { ...IMPLEMENTED.cgroup },
      seccomp,
      apparmor: { enabled: IMPLEMENTED.apparmor },
      selinux: { enabled: IMPLEMENTED.selinux },
      intelRdt: { enabled: IMPLEMENTED.intelRdt },
      mountExtensions: { idmap: { enabled: IMPLEMENTED.idmapMounts } },
    },
    annotations: { "tsrun.version": VERSION },
  };
}

const command: Command = {
  def: {
    name: "features",
    summary: "show the enabled features",
    usage: "",
    minArgs: 0,
    maxArgs: 0,
    description: `Prints the features JSON of the runtime-spec (features.md): what this tsrun
implements, independent of what the host supports.`,
    flags: [],
  },
  run() {
    const text = JSON.stringify(features(), null, 4) + "\n";
    Deno.stdout.writeSync(new TextEncoder().encode(text));
    return 0;
  },
};

export default command;
