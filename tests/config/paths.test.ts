// maskedPaths, readonlyPaths, sysctl, root.readonly and hostname/domainname, seen from inside.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { requireRoot } from "../helpers/mod.ts";
import { mountAt, parseMountinfo, runScript } from "./util.ts";

const ignore = requireRoot("running containers");

Deno.test(
  { name: "maskedPaths: files read as empty, directories as empty and read-only", ignore },
  async () => {
    const r = await runScript(
      "wc -c < /proc/meminfo; ls -A /proc/acpi /proc/driver | wc -l; touch /proc/driver/x 2>&1; " +
        "echo ---; cat /proc/self/mountinfo",
      (c) => c.linux.maskedPaths = ["/proc/meminfo", "/proc/driver", "/proc/no-such-file"],
    );
    assertEquals(r.code, 0, r.stderr);
    const [out, info] = r.stdout.split("---\n");
    const lines = out.trim().split("\n");
    assertEquals(lines[0], "0");
    match(lines.at(-1)!, /Read-only file system/);
    const mounts = parseMountinfo(info);
    assertEquals(mountAt(mounts, "/proc/meminfo")?.root, "/null", "the container's /dev/null");
    const driver = mountAt(mounts, "/proc/driver")!;
    assertEquals(driver.fstype, "tmpfs");
    ok(driver.options.includes("ro"));
  },
);

Deno.test({ name: "readonlyPaths: read-only, keeping nosuid/nodev/noexec", ignore }, async () => {
  const r = await runScript(
    "{ echo 1 > /proc/sys/kernel/domainname; } 2>&1; echo ---; cat /proc/self/mountinfo",
    (c) => {
      c.linux.readonlyPaths = ["/proc/sys", "/dev/shm", "/nonexistent"];
    },
  );
  assertEquals(r.code, 0, r.stderr);
  const [out, info] = r.stdout.split("---\n");
  match(out, /Read-only file system/);
  const mounts = parseMountinfo(info);
  ok(mountAt(mounts, "/proc/sys")!.options.includes("ro"));
  const shm = mountAt(mounts, "/dev/shm")!.options;
  for (const o of ["ro", "nosuid", "nodev", "noexec"]) ok(shm.includes(o), o);
});

Deno.test({ name: "sysctl: written in the container's namespaces only", ignore }, async () => {
  const hostValue = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  const r = await runScript(
    "cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax",
    (c) => {
      c.linux.sysctl = {
        "net.ipv4.ip_unprivileged_port_start": "77",
        "kernel.msgmax": "4096",
      };
    },
  );
  assertEquals([r.code, r.stdout], [0, "77\n4096\n"], r.stderr);
  assertEquals(Deno.readTextFileSync("/proc/sys/net/ipv4/ip_unprivileged_port_start"), hostValue);
});

Deno.test({ name: "root.readonly: / is read-only, the mounts on it are not", ignore }, async () => {
  const r = await runScript(
    "touch /x 2>&1; touch /dev/shm/x && echo shm ok; echo ---; cat /proc/self/mountinfo",
  );
  assertEquals(r.code, 0, r.stderr);
  const [out, info] = r.stdout.split("---\n");
  assertEquals(out, "touch: /x: Read-only file system\nshm ok\n");
  ok(mountAt(parseMountinfo(info), "/")!.options.includes("ro"));
  const rw = await runScript("touch /x && echo rw", (c) => c.root.readonly = false);
  assertEquals([rw.code, rw.stdout], [0, "rw\n"], rw.stderr);
});

Deno.test(
  { name: "hostname and domainname in the container's uts namespace", ignore },
  async () => {
    const r = await runScript("hostname; cat /proc/sys/kernel/domainname", (c) => {
      c.hostname = "box-one";
      c.domainname = "example.test";
    });
    assertEquals([r.code, r.stdout], [0, "box-one\nexample.test\n"], r.stderr);
  },
);
