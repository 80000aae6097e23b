// ID-mapped bind mounts (idmap/ridmap with mounts[].uidMappings/gidMappings): file owners are
// shifted by the mount's mapping; the refusal in a user namespace is clear and early.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { join } from "node:path";
import { requireRoot } from "../helpers/mod.ts";
import { addUserns, mountAt, parseMountinfo, runScript } from "./util.ts";

const ignore = requireRoot("running containers");

const UIDS = [{ containerID: 0, hostID: 1000, size: 100 }];
const GIDS = [{ containerID: 0, hostID: 2000, size: 100 }];

Deno.test(
  { name: "idmap: owners shift by the mount's mappings, ridmap reaches submounts", ignore },
  async () => {
    const src = await Deno.makeTempDir({ prefix: "tsrun-cfg-idmap-" });
    const sub = await Deno.makeTempDir({ prefix: "tsrun-cfg-idmap-sub-" });
    try {
      // Readable by anyone: through the mapping the directory is no longer the container root's.
      for (const d of [src, sub]) Deno.chmodSync(d, 0o755);
      Deno.writeTextFileSync(join(src, "root-owned"), "");
      Deno.writeTextFileSync(join(src, "user-owned"), "");
      Deno.chownSync(join(src, "user-owned"), 7, 8);
      Deno.mkdirSync(join(src, "sub"));
      Deno.writeTextFileSync(join(sub, "inner"), "");
      await new Deno.Command("mount", { args: ["--bind", sub, join(src, "sub")] }).output();
      const r = await runScript(
        "stat -c '%n %u:%g' /idm/root-owned /idm/user-owned /plain/root-owned /ridm/sub/inner " +
          "/rb/sub/inner; echo ---; cat /proc/self/mountinfo",
        (c) => {
          c.mounts.push(
            {
              destination: "/idm",
              type: "bind",
              source: src,
              options: ["bind", "idmap"],
              uidMappings: UIDS,
              gidMappings: GIDS,
            },
            { destination: "/plain", type: "bind", source: src, options: ["bind"] },
            {
              destination: "/ridm",
              type: "bind",
              source: src,
              options: ["rbind", "ridmap"],
              uidMappings: UIDS,
              gidMappings: GIDS,
            },
            {
              destination: "/rb",
              type: "bind",
              source: src,
              options: ["rbind", "idmap"],
              uidMappings: UIDS,
              gidMappings: GIDS,
            },
          );
        },
      );
      assertEquals(r.code, 0, r.stderr);
      const [out, info] = r.stdout.split("---\n");
      assertEquals(out.trim().split("\n"), [
        "/idm/root-owned 1000:2000",
        "/idm/user-owned 1007:2008",
        "/plain/root-owned 0:0",
        "/ridm/sub/inner 1000:2000",
        // idmap on an rbind maps the top mount only.
        "/rb/sub/inner 0:0",
      ]);
      const mounts = parseMountinfo(info);
      ok(mountAt(mounts, "/idm")!.options.includes("idmapped"));
      ok(!mountAt(mounts, "/plain")!.options.includes("idmapped"));
      ok(mountAt(mounts, "/ridm/sub")!.options.includes("idmapped"));
    } finally {
      await new Deno.Command("umount", { args: [join(src, "sub")] }).output();
      await Deno.remove(src, { recursive: true });
      await Deno.remove(sub, { recursive: true });
    }
  },
);

Deno.test(
  { name: "idmap: refused, with the mount named, in a user namespace", ignore },
  async () => {
    const r = await runScript("true", (c) => {
      addUserns(c);
      c.mounts.push({
        destination: "/idm",
        type: "bind",
        source: "/tmp",
        options: ["bind", "idmap"],
        uidMappings: UIDS,
        gidMappings: GIDS,
      });
    });
    ok(r.code !== 0);
    match(r.stderr, /\/mounts\/6: ID-mapped mounts in a user namespace is not implemented/);
  },
);
