// exec on a pure cgroup v2 layout: the process is cloned into the container's cgroup or a
// sub-cgroup named by --cgroup; in a cgroup namespace it sees that cgroup as "/", as does the
// container's own cgroup mount.
import { deepStrictEqual as assertEquals, match, ok } from "node:assert/strict";
import { type Config, makeBundle, skipUnless } from "../helpers/mod.ts";
import { PureV2 } from "./pure-v2.ts";

const v2 = await PureV2.open();
const ignore = skipUnless(typeof v2 !== "string", `pure cgroup v2 view: ${v2}`);
const ns = v2 as PureV2;

/** The unified hierarchy's line of a /proc/PID/cgroup text. */
const unified = (text: string) => text.split("\n").find((l) => l.startsWith("0::"));

/** Runs `test` on a detached `sleep` container with a `sub` cgroup below its own. */
async function withContainer(
  name: string,
  config: (c: Config) => void,
  test: (id: string, inHierarchy: string) => Promise<void>,
) {
  const b = await makeBundle({ args: ["sleep", "60"], config });
  const id = `v2-${name}-${Deno.pid}`;
  try {
    assertEquals((await ns.tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
    const dir = ns.cgroupDir(id);
    Deno.mkdirSync(`${dir}/sub`);
    await test(id, dir.slice(ns.cgroupRoot.length));
    assertEquals((await ns.tsrun(["delete", "-f", id])).code, 0);
    assertEquals(ns.leftovers(id, b.dir), { cgroups: [], mounts: [] }, "sub-cgroup removed too");
  } finally {
    await ns.tsrun(["delete", "-f", id]);
    await b.cleanup();
  }
}

async function execCgroup(id: string, ...flags: string[]): Promise<string | undefined> {
  const r = await ns.tsrun(["exec", ...flags, id, "cat", "/proc/self/cgroup"]);
  assertEquals([r.code, r.stderr], [0, ""], `exec ${flags.join(" ")}`);
  return unified(r.stdout);
}

Deno.test(
  { name: "v2 exec joins the container's cgroup, or a sub-cgroup of it", ignore },
  async () => {
    await withContainer("exec", () => {}, async (id, path) => {
      assertEquals(await execCgroup(id), `0::${path}`);
      assertEquals(await execCgroup(id, "--cgroup", "sub"), `0::${path}/sub`);
      assertEquals(await execCgroup(id, "--cgroup", "/sub/"), `0::${path}/sub`, "rooted at it");

      const refused: [string, RegExp][] = [
        ["nosuch", /join cgroup: open \/sys\/fs\/cgroup\/\S+\/nosuch: no such file or directory/],
        ["../x", /--cgroup \.\.\/x: leaves the container's cgroup/],
        // On v2 there is one hierarchy: a per-controller path has nothing to name (as runc).
        ["hugetlb:sub", /--cgroup: unknown controller hugetlb/],
      ];
      for (const [arg, message] of refused) {
        const r = await ns.tsrun(["exec", "--cgroup", arg, id, "true"]);
        ok(r.code !== 0, arg);
        match(r.stderr, /^tsrun: [^\n]*\n$/, "one line");
        match(r.stderr, message);
      }
    });
  },
);

Deno.test({ name: "v2 cgroup namespace: the container's cgroup is its root", ignore }, async () => {
  const cgroupns = (c: Config) => {
    c.linux.namespaces.push({ type: "cgroup" });
    c.mounts.push({
      destination: "/sys/fs/cgroup",
      type: "cgroup",
      source: "cgroup",
      options: ["nosuid", "noexec", "nodev", "relatime", "ro"],
    });
  };
  await withContainer("cgns", cgroupns, async (id) => {
    assertEquals(await execCgroup(id), "0::/");
    assertEquals(await execCgroup(id, "--cgroup", "sub"), "0::/sub");
    const r = await ns.tsrun([
      "exec",
      id,
      "sh",
      "-c",
      "grep ' /sys/fs/cgroup ' /proc/self/mountinfo; cat /sys/fs/cgroup/cgroup.procs; " +
      "ls /sys/fs/cgroup",
    ]);
    assertEquals([r.code, r.stderr], [0, ""]);
    const [mount, ...rest] = r.stdout.trim().split("\n");
    // Root "/" of a fresh cgroup2 mount, read-only as configured.
    match(mount, /^\d+ \d+ \S+ \/ \/sys\/fs\/cgroup ro,[^ ]* - cgroup2 /);
    ok(rest.includes("1"), `the container's init (pid 1) is in its cgroup.procs: ${rest}`);
    ok(rest.includes("sub") && rest.includes("cgroup.events"), "its own directory, not the root");
  });
});

Deno.test(
  { name: "v2 without a cgroup namespace: the cgroup mount binds its directory", ignore },
  async () => {
    const mountOnly = (c: Config) =>
      c.mounts.push({
        destination: "/sys/fs/cgroup",
        type: "cgroup",
        source: "cgroup",
        options: ["ro"],
      });
    await withContainer("cgbind", mountOnly, async (id, path) => {
      assertEquals(await execCgroup(id), `0::${path}`);
      const r = await ns.tsrun(["exec", id, "grep", " /sys/fs/cgroup ", "/proc/self/mountinfo"]);
      assertEquals([r.code, r.stderr], [0, ""]);
      match(
        r.stdout.trim(),
        new RegExp(`^\\d+ \\d+ \\S+ ${path} /sys/fs/cgroup ro,[^ ]* - cgroup2 `),
      );
    });
  },
);
