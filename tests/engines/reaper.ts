// A stand-in for conmon and the containerd shim, run as its own process: a child subreaper that
// creates containers with tsrun, so their inits become its children, and reaps each the moment
// it exits, as those monitors do.
// Usage: reaper.ts ROUNDS TSRUN ROOT BUNDLE ID [START_WRAPPER...]; `tsrun start` runs under
// START_WRAPPER (e.g. strace) when given. Prints one JSON line per round: start's exit code and
// stderr, and the container's exit code.
import { waitpidAsync } from "../../syscalls/libc.ts";
import { prctl } from "../../syscalls/process.ts";
import { command, mustSucceed } from "./command.ts";

const PR_SET_CHILD_SUBREAPER = 36;
const [rounds, tsrun, root, bundle, id, ...wrapper] = Deno.args;

prctl(PR_SET_CHILD_SUBREAPER, 1);
for (let i = 0; i < Number(rounds); i++) {
  const pidFile = `${bundle}/pid`;
  await mustSucceed(
    command([tsrun, "--root", root, "create", "--bundle", bundle, "--pid-file", pidFile, id]),
    "tsrun create",
  );
  const status = new Uint8Array(4);
  const reaped = waitpidAsync(Number(Deno.readTextFileSync(pidFile)), status);
  const start = await command([...wrapper, tsrun, "--root", root, "start", id]);
  await reaped;
  const exit = new DataView(status.buffer).getInt32(0, true) >> 8 & 0xff;
  console.log(JSON.stringify({ start: start.code, stderr: start.stderr, exit }));
  await mustSucceed(command([tsrun, "--root", root, "delete", "--force", id]), "tsrun delete");
}
