// How the container's init is started: tsrun's own hidden `init`, executed from sealed copies
// (syscalls/seal.ts) that no process can reopen for writing, and given everything it reads as
// descriptors, so that it opens no host path once it is in the container's user namespace.
// Compiled, that is the binary itself (`tsrun init`); from source, the pinned Deno running the
// init bundle (runtime/bundles.ts) through /proc/self/fd.
import { BUNDLED, initBundle } from "./bundles.ts";
import { sealFile } from "../syscalls/seal.ts";
import { closeFd } from "../syscalls/socket.ts";

export interface InitCommand {
  /** The sealed executable (O_CLOEXEC), for execveat(exe, "", AT_EMPTY_PATH). */
  exe: number;
  argv: string[];
  env: string[];
  /** Sealed fds (O_CLOEXEC) the init must inherit: made inheritable in the child only. */
  inherit: number[];
}

function isCompiled(): boolean {
  if (BUNDLED) return false;
  const main = new URL("../main.ts", import.meta.url);
  return main.protocol !== "file:" || main.pathname.includes("/deno-compile-");
}

/**
 * Deno's own start looks for its cache dir, HOME's .npmrc (without HOME it looks the home up in
 * /etc/passwd through NSS) and, at the first Date, TZ's zone file (else /etc/localtime). Each is
 * named a path in the init's own /proc that cannot exist: Deno then keeps its caches in memory,
 * forgives the missing .npmrc (ENOENT, not ENOTDIR) and runs in UTC, opening no host file.
 */
const NO_HOST_FILES = ["DENO_DIR", "HOME", "TZ"].map((v) => `${v}=/proc/self/fd/none`);

export async function initCommand(pipeEnv: string): Promise<InitCommand> {
  if (isCompiled()) {
    return {
      exe: sealFile(Deno.execPath()).fd,
      argv: ["tsrun", "init"],
      env: [pipeEnv, ...NO_HOST_FILES],
      inherit: [],
    };
  }
  const bundle = await initBundle();
  const exe = sealFile(Deno.execPath());
  let code;
  try {
    code = sealFile(bundle);
  } catch (e) {
    closeFd(exe.fd);
    throw e;
  }
  const main = `/proc/self/fd/${code.fd}`;
  // The bundle is a classic script (runtime/bundles.ts): the main module only evaluates it.
  const loader = `data:text/javascript,(0,eval)(Deno.readTextFileSync("${main}"))`;
  return {
    exe: exe.fd,
    argv: ["deno", "run", "-A", "--no-config", "--no-lock", "--cached-only", "--quiet", loader],
    env: [pipeEnv, ...NO_HOST_FILES, "DENO_NO_UPDATE_CHECK=1", "NO_COLOR=1"],
    inherit: [code.fd],
  };
}

export function closeInitCommand(c: InitCommand): void {
  for (const fd of [c.exe, ...c.inherit]) closeFd(fd);
}
