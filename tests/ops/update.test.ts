// update: runc's flags and a LinuxResources document (file, --resources=FILE, stdin) change the
// live cgroup files and the stored config; bad input names the flag or field.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { makeBundle, requireRoot, skipUnless, tsrun } from "../helpers/mod.ts";
import { hasV1, initPid, status, storedState, until, v1Dir } from "./util.ts";

const CONTROLLERS = ["memory", "cpu", "cpuset", "blkio", "pids"];
const ignore = requireRoot("update on real containers") ||
  skipUnless(hasV1(...CONTROLLERS), `update tests read v1 files: need v1 ${CONTROLLERS}`);
const UNLIMITED = "9223372036854771712"; // v1's "no limit" for memory, rounded to a page

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Reads a container's v1 control file, e.g. file(pid, "memory", "memory.limit_in_bytes"). */
function file(pid: number, controller: string, name: string): string {
  return Deno.readTextFileSync(`${v1Dir(pid, controller)}/${name}`).trim();
}

/** Runs `body` on a fresh running `sleep` container. */
async function withContainer(id: string, body: (pid: number) => Promise<void>) {
  const b = await makeBundle({ args: ["sleep", "60"] });
  try {
    assertEquals((await tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    await body(await initPid(id));
  } finally {
    await tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
}

Deno.test(
  { name: "update flags land in the cgroup files and the stored config", ignore },
  () =>
    withContainer("ops-upflags", async (pid) => {
      const id = "ops-upflags";
      // Kernels without CFQ have only BFQ's weight file, and some have neither: there the flag
      // must fail naming the field, and the other flags are checked without it.
      const blkio = ["blkio.weight", "blkio.bfq.weight"]
        .find((f) => isFile(`${v1Dir(pid, "blkio")}/${f}`));
      if (!blkio) {
        console.warn("update: SKIPPED blkio weight (no blkio.weight or blkio.bfq.weight here)");
        const w = await tsrun(["update", "--blkio-weight", "300", id]);
        assertEquals(w.code, 1);
        match(w.stderr, /^tsrun: linux\.resources\.blockIO\.weight: .*no blkio\.weight\n$/);
      }
      const r = await tsrun([
        "update",
        ...["--memory", "64m", "--memory-swap", "128m", "--memory-reservation", "32m"],
        ...["--cpu-share", "512", "--cpu-period", "50000", "--cpu-quota", "25000"],
        ...["--cpuset-cpus", "0", "--cpuset-mems", "0"],
        ...(blkio ? ["--blkio-weight", "300"] : []),
        ...["--pids-limit", "20", "--kernel-memory", "10m"],
        id,
      ]);
      assertEquals([r.code, r.stdout], [0, ""]);
      assertEquals(
        r.stderr,
        "tsrun: warning: update: /memory/kernel: kernel memory limits are ignored\n",
      );
      assertEquals(
        [
          file(pid, "memory", "memory.limit_in_bytes"),
          file(pid, "memory", "memory.memsw.limit_in_bytes"),
          file(pid, "memory", "memory.soft_limit_in_bytes"),
          file(pid, "cpu", "cpu.shares"),
          file(pid, "cpu", "cpu.cfs_period_us"),
          file(pid, "cpu", "cpu.cfs_quota_us"),
          file(pid, "cpuset", "cpuset.cpus"),
          file(pid, "cpuset", "cpuset.mems"),
          blkio && file(pid, "blkio", blkio),
          file(pid, "pids", "pids.max"),
        ],
        [
          `${64 << 20}`,
          `${128 << 20}`,
          `${32 << 20}`,
          "512",
          "50000",
          "25000",
          "0",
          "0",
          blkio && "300",
          "20",
        ],
      );

      // Only what is given changes; --cpu-shares is docker's spelling of --cpu-share.
      assertEquals((await tsrun(["update", "--cpu-shares", "256", id])).code, 0);
      assertEquals(file(pid, "cpu", "cpu.shares"), "256");
      assertEquals(file(pid, "memory", "memory.limit_in_bytes"), `${64 << 20}`);

      // Sizes as runc reads them; -1 lifts a limit (swap follows memory when not given).
      assertEquals(
        (await tsrun(["update", "--memory", "1.5g", "--memory-swap", "2GiB", id])).code,
        0,
      );
      assertEquals(file(pid, "memory", "memory.limit_in_bytes"), `${1.5 * 2 ** 30}`);
      assertEquals(file(pid, "memory", "memory.memsw.limit_in_bytes"), `${2 ** 31}`);
      assertEquals((await tsrun(["update", "--memory", "-1", id])).code, 0);
      assertEquals(file(pid, "memory", "memory.limit_in_bytes"), UNLIMITED);
      assertEquals(file(pid, "memory", "memory.memsw.limit_in_bytes"), UNLIMITED);

      const kept = storedState(id).config.linux.resources;
      assertEquals(kept.memory, {
        limit: -1,
        swap: 2 ** 31,
        reservation: 32 << 20,
        kernel: 10 << 20,
      });
      assertEquals(kept.cpu, { shares: 256, period: 50000, quota: 25000, cpus: "0", mems: "0" });
      assertEquals([kept.pids, kept.blockIO], [{ limit: 20 }, blkio && { weight: 300 }]);
      assertEquals(kept.devices, [{ allow: false, access: "rwm" }], "device rules stay as created");
    }),
);

Deno.test({
  name: "update --cpu-rt-period/--cpu-rt-runtime",
  ignore: ignore ||
    skipUnless(
      hasV1("cpu") && isFile("/sys/fs/cgroup/cpu/cpu.rt_runtime_us"),
      "no realtime group scheduling (CONFIG_RT_GROUP_SCHED)",
    ),
}, () =>
  withContainer("ops-uprt", async (pid) => {
    const r = await tsrun([
      "update",
      "--cpu-rt-period",
      "900000",
      "--cpu-rt-runtime",
      "1000",
      "ops-uprt",
    ]);
    assertEquals([r.code, r.stderr], [0, ""]);
    assertEquals(file(pid, "cpu", "cpu.rt_period_us"), "900000");
    assertEquals(file(pid, "cpu", "cpu.rt_runtime_us"), "1000");
  }));

Deno.test(
  { name: "update --resources FILE, --resources=FILE and - (stdin)", ignore },
  () =>
    withContainer("ops-upres", async (pid) => {
      const id = "ops-upres";
      const dir = await Deno.makeTempDir({ prefix: "tsrun-res-" });
      try {
        await Deno.writeTextFile(`${dir}/cpu.json`, '{"cpu":{"shares":700,"quota":30000}}');
        assertEquals((await tsrun(["update", "--resources", `${dir}/cpu.json`, id])).code, 0);
        assertEquals([file(pid, "cpu", "cpu.shares"), file(pid, "cpu", "cpu.cfs_quota_us")], [
          "700",
          "30000",
        ]);

        // podman: a file named with "=", deleted right after.
        await Deno.writeTextFile(
          `${dir}/podman.json`,
          '{"memory":{"limit":100663296,"swap":201326592}}',
        );
        const p = await tsrun(["update", `--resources=${dir}/podman.json`, id]);
        assertEquals([p.code, p.stdout, p.stderr], [0, "", ""]);
        assertEquals(file(pid, "memory", "memory.limit_in_bytes"), "100663296");
        assertEquals(file(pid, "memory", "memory.memsw.limit_in_bytes"), "201326592");

        // docker: the document on stdin, 0 meaning "leave as is".
        const docker = {
          memory: { limit: 67108864, reservation: 0, swap: 134217728, kernel: 0 },
          cpu: { shares: 0, quota: 0, period: 0 },
          blockIO: { weight: 0 },
        };
        const d = await tsrun(["update", "--resources", "-", id], {
          stdin: JSON.stringify(docker),
        });
        assertEquals([d.code, d.stdout, d.stderr], [0, "", ""]);
        assertEquals(file(pid, "memory", "memory.limit_in_bytes"), "67108864");
        assertEquals(file(pid, "memory", "memory.memsw.limit_in_bytes"), "134217728");
        assertEquals([file(pid, "cpu", "cpu.shares"), file(pid, "cpu", "cpu.cfs_quota_us")], [
          "700",
          "30000",
        ]);
        assertEquals(storedState(id).config.linux.resources.cpu, { shares: 700, quota: 30000 });

        const stats = JSON.parse((await tsrun(["events", "--stats", id])).stdout);
        assertEquals(stats.data.memory.usage.limit, 67108864, "events --stats sees the update");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }),
);

Deno.test(
  { name: "update refuses bad input with one line naming the flag or field", ignore },
  () =>
    withContainer("ops-upbad", async (pid) => {
      const id = "ops-upbad";
      const before = file(pid, "memory", "memory.limit_in_bytes");
      const cases: [string[], string | undefined, string | RegExp][] = [
        [
          ["--memory", "lots"],
          undefined,
          'invalid value for --memory: "lots" is not a size like 512m or 1g',
        ],
        [
          ["--cpu-quota", "1.5"],
          undefined,
          'invalid value for --cpu-quota: "1.5" is not an integer',
        ],
        [
          ["--cpu-period", "10"],
          undefined,
          "update: /cpu/period: must be 1000..1000000 microseconds, got 10",
        ],
        [["--blkio-weight", "5"], undefined, "update: /blockIO/weight: must be 10..1000, got 5"],
        [
          ["--l3-cache-schema", "L3:0=f"],
          undefined,
          "--l3-cache-schema: Intel RDT is not supported by tsrun",
        ],
        [
          ["--resources", "-", "--memory", "1g"],
          "{}",
          "--resources cannot be combined with --memory",
        ],
        [
          ["--resources", "/nonexistent.json"],
          undefined,
          /^--resources \/nonexistent\.json: No such file/,
        ],
        [["--resources", "-"], "{memory", /^--resources -: invalid JSON: /],
        [
          ["-r", "-"],
          '{"memory":{"limit":"1g"}}',
          '--resources -: /memory/limit: expected number, got string "1g"',
        ],
        // The kernel keeps memory+swap >= memory: its refusal names the field too.
        [
          ["--memory-swap", "1m"],
          undefined,
          /^linux\.resources\.memory\.swap: cannot write "1048576" to memory\.memsw\.limit_in_bytes/,
        ],
      ];
      for (const [args, stdin, want] of cases) {
        const r = await tsrun(["update", ...args, id], stdin === undefined ? {} : { stdin });
        assertEquals(r.code, 1, args.join(" "));
        const line = r.stderr.replace(/^tsrun: /, "").replace(/\n$/, "");
        if (typeof want === "string") assertEquals(line, want);
        else match(line, want);
        assertEquals(r.stderr.split("\n").length, 2, `one line: ${r.stderr}`);
      }
      assertEquals(file(pid, "memory", "memory.limit_in_bytes"), before, "nothing changed");
      assertEquals(storedState(id).config.linux.resources.memory, undefined);

      await tsrun(["kill", id, "KILL"]);
      await until(() => status(id), (s) => s === "stopped");
      const stopped = await tsrun(["update", "--memory", "1g", id]);
      assertEquals([stopped.code, stopped.stderr], [1, "tsrun: container not running\n"]);
      const unknown = await tsrun(["update", "--memory", "1g", "ops-nope"]);
      assertEquals([unknown.code, unknown.stderr], [
        1,
        "tsrun: container does not exist: ops-nope\n",
      ]);
    }),
);
