// ourPidfd: a pidfd only of the process started at the given time, checked once it is open.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { ourPidfd, processStart } from "../../runtime/state/process.ts";
import { closeFd } from "../../syscalls/socket.ts";

Deno.test("ourPidfd: the process started then, not another with its pid, not one gone", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const start = processStart(child.pid)!;
    ok(start > 0);
    const fd = ourPidfd(child.pid, start);
    ok(fd !== undefined && fd >= 0);
    closeFd(fd);
    assertEquals(ourPidfd(child.pid, start + 1), undefined, "another start is another process");
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assertEquals(ourPidfd(child.pid, processStart(child.pid) ?? 1), undefined, "reaped: gone");
});
