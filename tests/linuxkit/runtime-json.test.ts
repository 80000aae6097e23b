// LinuxKit's runtime.json on real containers (as root): mounts, a writable image, mkdir,
// cgroups, interfaces, bindNS; a broken one leaves nothing behind; `validate` places its
// problems. Link names start with "lk", container ids with "lk-", cgroups with "lk-cg-".
import { deepStrictEqual as assertEquals, match, ok as assert } from "node:assert/strict";
import {
  assertNothingLeft,
  buildRootfs,
  type Bundle,
  cgroupsMatching,
  findBusybox,
  makeBundle,
  mountsUnder,
  requireRoot,
  stateRoot,
  tsrun,
  until,
} from "../helpers/mod.ts";
import { command } from "../helpers/command.ts";
import { detect } from "../../runtime/cgroups/detect.ts";
import { RtNetlink } from "../../syscalls/netlink.ts";
import { hasCommand, skipUnless } from "../helpers/skip.ts";
import { exists } from "../../process/exists.ts";

const ignore = requireRoot("runtime.json containers");
const noNsenter = skipUnless(hasCommand("nsenter"), "looking into a namespace needs nsenter");
/** The links of the network namespace it runs in, by the test rootfs' busybox (no iproute2). */
const ipLink = () => [findBusybox(), "ip", "-o", "link"];
const tag = () => Math.random().toString(16).slice(2, 6);

/** The links of this (the root) network namespace whose names start with `prefix`. */
function links(prefix: string): string[] {
  return [...Deno.readDirSync("/sys/class/net")].map((e) => e.name)
    .filter((n) => n.startsWith(prefix)).sort();
}

/** A namespace's links go when it dies, which the kernel finishes asynchronously. */
async function linksGone(prefix: string): Promise<void> {
  assertEquals(await until(() => links(prefix), (l) => l.length === 0), []);
}

function writeRuntime(b: Bundle, runtime: unknown): void {
  Deno.writeTextFileSync(`${b.dir}/runtime.json`, JSON.stringify(runtime, null, 2));
}

async function withBundle(args: string[], fn: (b: Bundle) => Promise<void>): Promise<void> {
  const b = await makeBundle({ args });
  try {
    await fn(b);
  } finally {
    await b.cleanup();
  }
}

function removeCgroups(name: string): void {
  for (const dir of cgroupsMatching(name).sort().reverse()) Deno.removeSync(dir);
}

/** No state, mounts under the bundle, processes or cgroups of `id`; no link with `prefix`. */
async function assertGone(b: Bundle, id: string, linkPrefix?: string): Promise<void> {
  assertEquals((await tsrun(["state", id])).code, 1, "no state");
  assertEquals([...Deno.readDirSync(stateRoot())].map((e) => e.name), []);
  assertNothingLeft({ path: b.dir, marker: id });
  if (linkPrefix) await linksGone(linkPrefix);
}

Deno.test({ name: "runtime.json: tmpfs and relative mounts, mkdir, cgroups", ignore }, async () => {
  const id = `lk-mounts-${tag()}`, cg = `lk-cg-${tag()}`;
  await withBundle(
    ["sh", "-c", "grep ' /tmp tmpfs ' /proc/mounts && cat /data/hello && test -d /var/lk/a"],
    async (b) => {
      Deno.mkdirSync(`${b.dir}/src`);
      Deno.writeTextFileSync(`${b.dir}/src/hello`, "from the host\n");
      writeRuntime(b, {
        mounts: [
          { destination: "tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m"] },
          { destination: "data", source: `${b.dir}/src`, options: ["bind", "ro"] },
        ],
        mkdir: ["var/lk/a"],
        cgroups: [cg],
        namespace: "services.linuxkit",
      });
      try {
        const r = await tsrun(["run", "-b", b.dir, id]);
        assertEquals(r.stderr, "");
        assertEquals(r.code, 0);
        match(r.stdout, /tmpfs \/tmp tmpfs rw,nosuid.*\nfrom the host\n$/);
        // Made on the host: the mkdir'd directory stays, the mounts went with the container.
        assert(Deno.statSync(`${b.rootfs}/var/lk/a`).isDirectory);
        assertEquals(mountsUnder(b.dir), []);
        // Every hierarchy has the cgroup; it outlives the container, as in LinuxKit.
        const host = detect();
        const roots = [...host.v1, ...host.unified ? [host.unified] : []];
        assert(roots.length > 0);
        for (const h of roots) assert(Deno.statSync(`${h.mountpoint}/${cg}`).isDirectory);
        await assertGone(b, id);
      } finally {
        removeCgroups(cg);
      }
    },
  );
});

Deno.test(
  { name: "runtime.json: a writable image (lower + tmpfs + overlay)", ignore },
  async () => {
    const id = `lk-overlay-${tag()}`;
    await withBundle(
      ["sh", "-c", "echo written >/new && cat /new && ls /bin/busybox"],
      async (b) => {
        // LinuxKit's layout for a writable image: the image in lower/, an empty rootfs/ and tmp/.
        Deno.removeSync(b.rootfs, { recursive: true });
        buildRootfs(`${b.dir}/lower`);
        Deno.mkdirSync(b.rootfs);
        b.config.root.readonly = false;
        b.writeConfig();
        writeRuntime(b, {
          mounts: [
            { source: "tmpfs", type: "tmpfs", destination: `${b.dir}/tmp` },
            { destination: `${b.dir}/tmp`, options: ["remount", "private"] },
            {
              source: "overlay",
              type: "overlay",
              destination: `${b.dir}/rootfs`,
              options: [
                `lowerdir=${b.dir}/lower`,
                `upperdir=${b.dir}/tmp/upper`,
                `workdir=${b.dir}/tmp/work`,
              ],
            },
          ],
        });
        const r = await tsrun(["run", "-b", b.dir, id]);
        assertEquals([r.code, r.stdout, r.stderr], [0, "written\n/bin/busybox\n", ""]);
        assertEquals(readdir(`${b.dir}/tmp`), [], "the tmpfs went, and took upper/ with it");
        assertEquals(readdir(`${b.dir}/rootfs`), [], "the overlay went");
        assert(!readdir(`${b.dir}/lower`).includes("new"), "the image is unchanged");
        await assertGone(b, id);
      },
    );
  },
);

function readdir(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test(
  {
    name: "runtime.json: a veth pair, its peer in the root namespace",
    ignore: ignore || noNsenter,
  },
  async () => {
    const p = `lk${tag()}`;
    const id = `lk-veth-${p}`;
    await withBundle(["sh", "-c", "ip -o link; read x"], async (b) => {
      writeRuntime(b, { interfaces: [{ name: `${p}c`, peer: `${p}h` }] });
      const created = await tsrun(["create", "-b", b.dir, id]);
      try {
        assertEquals([created.code, created.stderr], [0, ""]);
        // The peer stays here; the end called name is the container's.
        assertEquals(links(p), [`${p}h`]);
        const inside = await command(["nsenter", "--net=" + netnsOf(id), ...ipLink()]);
        match(inside.stdout, new RegExp(`: ${p}c@`));
      } finally {
        assertEquals((await tsrun(["delete", "--force", id])).code, 0);
      }
      await assertGone(b, id, p);
    });
  },
);

/** /proc/PID/ns/net of a created container. */
function netnsOf(id: string): string {
  const state = JSON.parse(Deno.readTextFileSync(`${stateRoot()}/${id}/state.json`));
  return `/proc/${state.pid}/ns/net`;
}

/** A veth pair made in this (the root) namespace, as the host's own link would be. */
function hostVeth(name: string, peer: string): void {
  const nl = new RtNetlink();
  try {
    nl.newLink({ name, kind: "veth", peer });
  } finally {
    nl.close();
  }
}

/** Deletes the link if it is still there. */
function dropLink(name: string): void {
  if (!links(name).includes(name)) return;
  const nl = new RtNetlink();
  try {
    nl.deleteLink(name);
  } finally {
    nl.close();
  }
}

Deno.test(
  { name: "runtime.json: an existing link moved in, a bridge made inside", ignore },
  async () => {
    const p = `lk${tag()}`;
    const id = `lk-move-${p}`;
    await withBundle(["ip", "-o", "link"], async (b) => {
      hostVeth(`${p}m`, `${p}o`);
      try {
        writeRuntime(b, { interfaces: [{ name: `${p}m` }, { name: `${p}br`, add: "bridge" }] });
        const r = await tsrun(["run", "-b", b.dir, id]);
        assertEquals([r.code, r.stderr], [0, ""]);
        match(r.stdout, new RegExp(`: ${p}br: `));
        match(r.stdout, new RegExp(`: ${p}m@`));
        // The bridge never was in the root namespace; the veth went with the container's.
        await assertGone(b, id, p);
      } finally {
        dropLink(`${p}o`);
      }
    });
  },
);

Deno.test(
  { name: "runtime.json: a failed create moves an existing link back", ignore },
  async () => {
    const p = `lk${tag()}`;
    const id = `lk-moveback-${p}`;
    await withBundle(["true"], async (b) => {
      hostVeth(`${p}m`, `${p}o`);
      try {
        writeRuntime(b, {
          interfaces: [{ name: `${p}m` }, { name: `${p}d`, add: "dummy" }],
        });
        const r = await tsrun(["run", "-b", b.dir, id]);
        assertEquals(r.code, 1);
        match(r.stderr, /\/interfaces\/1: create link lk\w+d \(dummy\): .*EOPNOTSUPP/);
        // Back at once: not destroyed with the container's namespace, as LinuxKit would let it.
        assertEquals(links(p), [`${p}m`, `${p}o`]);
        await assertGone(b, id);
      } finally {
        dropLink(`${p}o`);
      }
    });
  },
);

Deno.test({
  name: "runtime.json: bindNS keeps the network namespace for nsenter --net",
  ignore: ignore || noNsenter,
}, async () => {
  const p = `lk${tag()}`;
  const id = `lk-bind-${p}`;
  const dir = `/run/tsrun-test-${id}`;
  await withBundle(["true"], async (b) => {
    writeRuntime(b, {
      interfaces: [{ name: `${p}br`, add: "bridge" }],
      bindNS: { net: `${dir}/net`, uts: `${dir}/deeper/uts` },
    });
    try {
      const r = await tsrun(["run", "-b", b.dir, id]);
      assertEquals([r.code, r.stderr], [0, ""]);
      await assertGone(b, id);
      // Deleted, yet its namespace is there to join, with what runtime.json put in it.
      const joined = await command(["nsenter", `--net=${dir}/net`, ...ipLink()]);
      assertEquals(joined.code, 0, joined.stderr);
      match(joined.stdout, new RegExp(`: ${p}br: `));
      const uts = await command(["nsenter", `--uts=${dir}/deeper/uts`, "hostname"]);
      assertEquals(uts.stdout, "tsrun-test\n");
    } finally {
      for (const f of [`${dir}/net`, `${dir}/deeper/uts`]) await command(["umount", f]);
      Deno.removeSync(dir, { recursive: true });
    }
  });
});

Deno.test({ name: "runtime.json: a broken one leaves nothing behind", ignore }, async () => {
  const p = `lk${tag()}`;
  const id = `lk-broken-${p}`, cg = `lk-cg-${p}`;
  const dir = `/run/tsrun-test-${id}`;
  await withBundle(["true"], async (b) => {
    const good = {
      mounts: [{ destination: "tmp", type: "tmpfs", source: "tmpfs" }],
      cgroups: [`${cg}/sub`],
      interfaces: [{ name: `${p}a`, peer: `${p}b` }, { name: `${p}br`, add: "bridge" }],
      bindNS: { net: `${dir}/net` },
    };
    const cases: [unknown, RegExp][] = [
      // Refused before anything is made.
      [
        { ...good, interfaces: [{ name: `${p}a`, add: "veth" }] },
        /^runtime\.json: \/interfaces\/0: veth needs a peer$/,
      ],
      [
        { ...good, mounts: [{ destination: 5 }] },
        /^runtime\.json: \/mounts\/0\/destination: expected string, got number 5$/,
      ],
      ["{", /^runtime\.json: not valid JSON/],
      // Failing part way: a mount, the cgroup, a veth, a bridge and a bind made before it.
      [
        { ...good, mounts: [...good.mounts, { destination: "x", type: "nosuchfs", source: "x" }] },
        /^runtime\.json: \/mounts\/1: mount \/\S+\/bundle\/rootfs\/x: no such device \(ENODEV\)$/,
      ],
      [
        { ...good, interfaces: [...good.interfaces, { name: `${p}d`, add: "dummy" }] },
        /^runtime\.json: \/interfaces\/2: create link lk\w+d \(dummy\): operation not supported \(EOPNOTSUPP\)$/,
      ],
      [
        { ...good, bindNS: { net: `${dir}/net`, uts: "/proc/version/uts" } },
        /^runtime\.json: \/bindNS\/uts: /,
      ],
      // A veth made in the root namespace whose move fails: the container's namespace has the
      // name already. Only create's undo deletes it (it never was in the dying namespace).
      [
        { interfaces: [{ name: `${p}q`, add: "bridge" }, { name: `${p}q`, peer: `${p}r` }] },
        /^runtime\.json: \/interfaces\/1: move link lk\w+q: file exists \(EEXIST\)$/,
      ],
    ];
    try {
      for (const [runtime, error] of cases) {
        if (typeof runtime === "string") Deno.writeTextFileSync(`${b.dir}/runtime.json`, runtime);
        else writeRuntime(b, runtime);
        const r = await tsrun(["run", "-b", b.dir, id]);
        assertEquals(r.code, 1);
        assertEquals(links(p), [], "no link left in the root namespace, even for a moment");
        const lines = r.stderr.trimEnd().split("\n");
        assertEquals(lines.length, 1, r.stderr);
        match(lines[0].replace(/^tsrun: /, ""), error);
        await assertGone(b, id, p);
        assertEquals(cgroupsMatching(cg), []);
        assertEquals(exists(dir, false), false, `${dir} (made for bindNS) is gone`);
      }
    } finally {
      // Left only when the test failed: not for the next run (or another helper) to trip on.
      if (exists(dir, false)) Deno.removeSync(dir, { recursive: true });
      removeCgroups(cg);
    }
  });
});

Deno.test(
  { name: "runtime.json: delete --force unmounts after a lost state", ignore },
  async () => {
    const id = `lk-lost-${tag()}`;
    await withBundle(["true"], async (b) => {
      writeRuntime(b, { mounts: [{ destination: "tmp", type: "tmpfs", source: "tmpfs" }] });
      assertEquals((await tsrun(["create", "-b", b.dir, id])).code, 0);
      assertEquals(mountsUnder(`${b.rootfs}/tmp`).length, 1);
      // As if create had been killed before writing its state: only the claim's records remain.
      const init = JSON.parse(Deno.readTextFileSync(`${stateRoot()}/${id}/state.json`)).pid;
      Deno.removeSync(`${stateRoot()}/${id}/state.json`);
      Deno.kill(init, "SIGKILL");
      const r = await tsrun(["delete", "--force", id]);
      assertEquals([r.code, r.stderr], [0, ""]);
      await assertGone(b, id);
    });
  },
);

Deno.test(
  { name: "runtime.json: delete never follows the container's symlinks", ignore },
  async () => {
    const id = `lk-symlink-${tag()}`;
    const victim = Deno.makeTempDirSync({ prefix: "tsrun-test-victim-" });
    Deno.mkdirSync(`${victim}/lk/m`, { recursive: true });
    assertEquals((await command(["mount", "-t", "tmpfs", "tmpfs", `${victim}/lk/m`])).code, 0);
    // The container moves the directory holding its runtime.json mount away and puts a symlink to
    // a host directory with a mount at the same place in its stead.
    await withBundle(["sh", "-c", `mv /var /var.old && ln -s ${victim} /var`], async (b) => {
      b.config.root.readonly = false;
      b.writeConfig();
      writeRuntime(b, { mounts: [{ destination: "var/lk/m", type: "tmpfs", source: "tmpfs" }] });
      try {
        const r = await tsrun(["run", "-b", b.dir, id]);
        assertEquals(r.code, 0);
        match(r.stderr, /warning: runtime\.json mount .*\/var\/lk\/m: .*ENOENT/);
        assertEquals(mountsUnder(`${victim}/lk/m`).length, 1, "the host's mount is still there");
      } finally {
        await command(["umount", `${b.rootfs}/var.old/lk/m`]);
      }
      await assertGone(b, id);
    }).finally(async () => {
      await command(["umount", `${victim}/lk/m`]);
      Deno.removeSync(victim, { recursive: true });
    });
  },
);

Deno.test("validate: runtime.json problems at its lines and columns", async () => {
  const b = await makeBundle();
  try {
    Deno.writeTextFileSync(
      `${b.dir}/runtime.json`,
      '{\n  "interfaces": [\n    {"name": "lk0", "add": "veth"}\n  ],\n  "bindNS": {"net": "x"}\n}\n',
    );
    const r = await tsrun(["validate", "-b", b.dir]);
    assertEquals(r.code, 1);
    const lines = r.stdout.split("\n").filter((l) => l.includes("runtime.json"));
    assertEquals(lines, [
      `${b.dir}/runtime.json:5:14: /bindNS/net: must be an absolute path, got "x"`,
      `${b.dir}/runtime.json:3:5: /interfaces/0: veth needs a peer`,
    ]);
    Deno.writeTextFileSync(`${b.dir}/runtime.json`, '{"interfaces": [{"name": "lk0"}]}');
    b.config.linux.namespaces = b.config.linux.namespaces.filter(
      (n: { type: string }) => n.type !== "network",
    );
    b.writeConfig();
    const nonet = await tsrun(["validate", "-b", b.dir, "--json"]);
    const out = JSON.parse(nonet.stdout);
    assertEquals(out.errors.map((e: { file: string; pointer: string }) => [e.file, e.pointer]), [
      [`${b.dir}/runtime.json`, "/interfaces"],
    ]);
  } finally {
    await b.cleanup();
  }
});
