// The container's /dev: default nodes and links, its own devpts and ptmx, shm and mqueue, and
// linux.devices made with mknod (or bound from the host inside a user namespace).
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { requireRoot } from "../helpers/mod.ts";
import { exists } from "../../process/exists.ts";
import { addUserns, mountAt, parseMountinfo, runScript } from "./util.ts";

const ignore = requireRoot("running containers");

/** `stat` of each path inside: type, mode, major:minor (hex, as busybox prints), owner. */
const STAT = (paths: string[]) => `stat -c '%n %F %a %t:%T %u:%g' ${paths.join(" ")}`;

Deno.test({ name: "/dev: default nodes, links, ptmx and pseudo-filesystems", ignore }, async () => {
  const r = await runScript(
    `${
      STAT(["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"])
    }; ` +
      "for l in fd stdin stdout stderr ptmx core; do echo $l=$(readlink /dev/$l); done; " +
      "echo x > /dev/null && head -c 4 /dev/zero | wc -c; echo ---; cat /proc/self/mountinfo",
  );
  assertEquals(r.code, 0, r.stderr);
  const [out, info] = r.stdout.split("---\n");
  assertEquals(out.trim().split("\n"), [
    "/dev/null character special file 666 1:3 0:0",
    "/dev/zero character special file 666 1:5 0:0",
    "/dev/full character special file 666 1:7 0:0",
    "/dev/random character special file 666 1:8 0:0",
    "/dev/urandom character special file 666 1:9 0:0",
    "/dev/tty character special file 666 5:0 0:0",
    "fd=/proc/self/fd",
    "stdin=/proc/self/fd/0",
    "stdout=/proc/self/fd/1",
    "stderr=/proc/self/fd/2",
    "ptmx=pts/ptmx",
    // runc's /dev/core, where this kernel has a /proc/kcore to link to (many VMs' have none).
    `core=${exists("/proc/kcore") ? "/proc/kcore" : ""}`,
    "4",
  ]);
  const mounts = parseMountinfo(info);
  const pts = mountAt(mounts, "/dev/pts")!;
  assertEquals(pts.fstype, "devpts");
  ok(pts.superOptions.includes("ptmxmode=666") && pts.superOptions.includes("gid=5"));
  assertEquals(mountAt(mounts, "/dev/shm")?.fstype, "tmpfs");
  assertEquals(mountAt(mounts, "/dev/mqueue")?.fstype, "mqueue");
});

Deno.test({ name: "/dev/pts is a devpts instance of its own", ignore }, async () => {
  // Opening ptmx allocates pty 0 of the container's instance, on a device the host's is not.
  const r = await runScript("exec 3<>/dev/ptmx; ls /dev/pts; stat -c %d /dev/pts/ptmx");
  assertEquals(r.code, 0, r.stderr);
  const [zero, ptmx, dev] = r.stdout.trim().split("\n");
  assertEquals([zero, ptmx], ["0", "ptmx"]);
  ok(Number(dev) !== Deno.statSync("/dev/pts/ptmx").dev, "not the host's devpts");
});

Deno.test({ name: "linux.devices: mknod with type, mode, uid and gid", ignore }, async () => {
  const r = await runScript(
    STAT(["/dev/fuse", "/dev/loop-x", "/dev/sub/fifo", "/dev/null"]),
    (c) => {
      c.linux.devices = [
        // As podman sends it: the host node's st_mode, S_IFCHR included.
        { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o20640, uid: 7, gid: 9 },
        { path: "/dev/loop-x", type: "b", major: 7, minor: 300, fileMode: 0o600 },
        { path: "/dev/sub/fifo", type: "p", fileMode: 0o620 },
        // A configured default replaces the built-in one.
        { path: "/dev/null", type: "c", major: 1, minor: 3, fileMode: 0o600, uid: 3 },
      ];
    },
  );
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trim().split("\n"), [
    "/dev/fuse character special file 640 a:e5 7:9",
    "/dev/loop-x block special file 600 7:12c 0:0",
    "/dev/sub/fifo fifo 620 0:0 0:0",
    "/dev/null character special file 600 1:3 3:0",
  ]);
});

Deno.test({ name: "linux.devices in a user namespace: bound from the host", ignore }, async () => {
  const r = await runScript(
    `${STAT(["/dev/null", "/dev/full"])}; echo x > /dev/null && echo written; echo ---; ` +
      "cat /proc/self/mountinfo",
    (c) => addUserns(c),
  );
  assertEquals(r.code, 0, r.stderr);
  const [out, info] = r.stdout.split("---\n");
  // The host's nodes, owned by ids the namespace does not map (shown as nobody).
  assertEquals(out.trim().split("\n"), [
    "/dev/null character special file 666 1:3 65534:65534",
    "/dev/full character special file 666 1:7 65534:65534",
    "written",
  ]);
  match(mountAt(parseMountinfo(info), "/dev/null")!.root, /^\/null$/);
});

Deno.test({ name: "a /dev bound from the host is left as it is", ignore }, async () => {
  const r = await runScript("ls /dev/fuse-tsrun-marker && readlink /dev/ptmx", (c, b) => {
    const dev = join(b.dir, "hostdev");
    Deno.mkdirSync(dev);
    Deno.writeTextFileSync(join(dev, "fuse-tsrun-marker"), "");
    Deno.symlinkSync("/somewhere", join(dev, "ptmx"));
    c.mounts = c.mounts.filter((m: { destination: string }) => !m.destination.startsWith("/dev"));
    c.mounts.push({ destination: "/dev", type: "bind", source: dev, options: ["rbind"] });
  });
  assertEquals([r.code, r.stdout], [0, "/dev/fuse-tsrun-marker\n/somewhere\n"], r.stderr);
});
