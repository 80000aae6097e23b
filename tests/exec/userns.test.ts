// exec into containers with namespaces a threaded tsrun cannot enter itself: a user namespace
// (the spawn child joins it first) and a time namespace (joined in fork mode, not vfork).
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { requireRoot, skipUnless } from "../helpers/mod.ts";
import { exec, runningContainer, statusField } from "./util.ts";
import { exists } from "../../process/exists.ts";

const ignore = requireRoot("exec");
const HOST_ID = 200000;

Deno.test(
  { name: "exec into a user namespace: uid 0 inside, mapped outside", ignore },
  async () => {
    const c = await runningContainer("exec-userns", {
      config: (cfg) => {
        cfg.linux.namespaces.push({ type: "user" });
        const map = [{ containerID: 0, hostID: HOST_ID, size: 65536 }];
        cfg.linux.uidMappings = map;
        cfg.linux.gidMappings = map;
      },
    });
    try {
      const r = await exec(c.id, ["sleep", "600"], ["-d", "--pid-file", `${c.dir}/exec.pid`]);
      assertEquals([r.code, r.stderr], [0, ""]);
      const pid = Number(Deno.readTextFileSync(`${c.dir}/exec.pid`));
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      // Outside, the process runs as the ids uid 0 maps to.
      assertEquals(statusField(status, "Uid"), `${HOST_ID} ${HOST_ID} ${HOST_ID} ${HOST_ID}`);
      assertEquals(statusField(status, "Gid"), `${HOST_ID} ${HOST_ID} ${HOST_ID} ${HOST_ID}`);
      const userns = Deno.readLinkSync(`/proc/${c.pid}/ns/user`);
      assertEquals(Deno.readLinkSync(`/proc/${pid}/ns/user`), userns);

      const inside = "id -u; id -g; readlink /proc/self/ns/user; cat /proc/self/uid_map";
      const root = await exec(c.id, ["sh", "-c", inside]);
      assertEquals(root.code, 0, root.stderr);
      const [uid, gid, ns, map] = root.stdout.split("\n");
      assertEquals([uid, gid, ns, map.trim().split(/\s+/).join(" ")], [
        "0",
        "0",
        userns,
        `0 ${HOST_ID} 65536`,
      ]);
      const user = await exec(c.id, ["sh", "-c", "id -u; id -g; id -G"], [
        "-u",
        "1000:1000",
        "-g",
        "5",
      ]);
      assertEquals([user.code, user.stdout], [0, "1000\n1000\n1000 5\n"]);
    } finally {
      await c.remove();
    }
  },
);

Deno.test({
  name: "exec into a time namespace sees its clock offsets",
  ignore: ignore || skipUnless(exists("/proc/self/ns/time"), "the kernel has no time namespaces"),
}, async () => {
  const days = 10;
  const c = await runningContainer("exec-timens", {
    config: (cfg) => {
      cfg.linux.namespaces.push({ type: "time" });
      cfg.linux.timeOffsets = { boottime: { secs: days * 86400 }, monotonic: { secs: 86400 } };
    },
  });
  try {
    const r = await exec(c.id, [
      "sh",
      "-c",
      "cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time",
    ]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const [uptime, ns] = r.stdout.trim().split("\n");
    const hostUptime = Number(Deno.readTextFileSync("/proc/uptime").split(".")[0]);
    ok(Number(uptime) >= hostUptime + days * 86400 - 5, `uptime ${uptime} vs host ${hostUptime}`);
    assertEquals(ns, Deno.readLinkSync(`/proc/${c.pid}/ns/time`));
  } finally {
    await c.remove();
  }
});
