// AppArmor profile and SELinux labels. Both take effect at the next execve, through the
// calling thread's /proc attr files. A config asking for one on a host without that LSM is an
// error (runc 1.1 fails too, with a less telling EINVAL): a container must not silently run
// unconfined.
import type { Config } from "../specs/schema/config.ts";

function readFile(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

export function apparmorEnabled(): boolean {
  return readFile("/sys/module/apparmor/parameters/enabled")?.trim() === "Y";
}

export function selinuxEnabled(): boolean {
  return readFile("/sys/fs/selinux/enforce") !== undefined;
}

/** Throws a one-line error for a policy the host cannot apply; run before any setup. */
export function checkLsm(config: Config): void {
  const profile = config.process?.apparmorProfile;
  if (profile && !apparmorEnabled()) {
    throw new Error(`process.apparmorProfile "${profile}": AppArmor is not enabled on this host`);
  }
  const label = config.process?.selinuxLabel;
  if (label && !selinuxEnabled()) {
    throw new Error(`process.selinuxLabel "${label}": SELinux is not enabled on this host`);
  }
  const mountLabel = config.linux?.mountLabel;
  if (mountLabel && !selinuxEnabled()) {
    throw new Error(`linux.mountLabel "${mountLabel}": SELinux is not enabled on this host`);
  }
}

function writeAttr(paths: string[], value: string): void {
  const path = paths.find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  }) ?? paths.at(-1)!;
  try {
    Deno.writeTextFileSync(path, value);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/** Sets the profile and label the next execve of this thread switches to. */
export function setExecLabels(config: Config): void {
  const profile = config.process?.apparmorProfile;
  if (profile) {
    writeAttr(
      ["/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec"],
      `exec ${profile}`,
    );
  }
  const label = config.process?.selinuxLabel;
  if (label) writeAttr(["/proc/thread-self/attr/exec"], label);
}
