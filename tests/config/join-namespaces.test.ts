// linux.namespaces[].path: join another container's namespaces instead of making new ones.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";

const ignore = requireRoot("running containers");

function inode(pid: number, ns: string): string {
  return Deno.readLinkSync(`/proc/${pid}/ns/${ns}`);
}

Deno.test({ name: "joining pid, net, ipc and uts namespaces by path", ignore }, async () => {
  const host = await makeBundle({ args: ["sh", "-c", "exec sleep 60 >/dev/null 2>&1"] });
  const guest = await makeBundle({ args: ["sh", "-c", "exec sleep 60 >/dev/null 2>&1"] });
  try {
    assertEquals((await tsrun(["run", "-d", "-b", host.dir, "join-host"])).code, 0);
    const hostPid = JSON.parse((await tsrun(["state", "join-host"])).stdout).pid;
    guest.config.hostname = undefined;
    guest.config.linux.namespaces = [
      { type: "mount" },
      ...["pid", "network", "ipc", "uts"].map((type) => ({
        type,
        path: `/proc/${hostPid}/ns/${type === "network" ? "net" : type}`,
      })),
    ];
    guest.writeConfig();
    const r = await tsrun(["run", "-d", "-b", guest.dir, "join-guest"]);
    assertEquals(r.code, 0, r.stderr);
    const guestPid = JSON.parse((await tsrun(["state", "join-guest"])).stdout).pid;
    for (const ns of ["pid", "net", "ipc", "uts"]) {
      assertEquals(inode(guestPid, ns), inode(hostPid, ns), ns);
    }
    // In the joined pid namespace the guest is not its init.
    const nspid = Deno.readTextFileSync(`/proc/${guestPid}/status`).match(/^NSpid:\s+(.*)$/m)![1];
    assertEquals(nspid.split(/\s+/).length, 2);
    assertEquals(nspid.split(/\s+/)[1] === "1", false);
  } finally {
    await tsrun(["delete", "-f", "join-guest"]);
    await tsrun(["delete", "-f", "join-host"]);
    await guest.cleanup();
    await host.cleanup();
  }
});
