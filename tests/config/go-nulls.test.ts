// Configs as Go programs write them: null for nil slices and pointers, read as absent by create
// like runc; and integers judged on their digits, so a uint64 out of range fails create cleanly.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { assertNothingLeft, makeBundle, requireRoot, tsrun } from "../helpers/mod.ts";
import { uniqueId } from "./util.ts";

const ignore = requireRoot("containers");

Deno.test(
  { name: "create reads Go-style nulls in optional members as absent", ignore },
  async () => {
    const b = await makeBundle({
      args: ["sh", "-c", "echo ran; cat /proc/self/status | grep ^CapEff"],
    });
    try {
      const c = b.config as unknown as Record<string, Record<string, unknown>>;
      Object.assign(c.process, { capabilities: null, rlimits: null, apparmorProfile: null });
      c.hooks = null as unknown as Record<string, unknown>;
      Object.assign(c.linux, { seccomp: null, resources: { memory: null, devices: null } });
      (c.linux.namespaces as { path?: string | null }[])[0].path = null;
      b.writeConfig();
      const id = uniqueId("nulls");
      const r = await tsrun(["run", "-b", b.dir, id]);
      assertEquals(r.code, 0, r.stderr);
      // No capabilities object: the process gets none, as runc gives it.
      assertEquals(r.stdout, "ran\nCapEff:\t0000000000000000\n");
      const v = await tsrun(["validate", "-b", b.dir]);
      assertEquals(v.code, 0);
      match(v.stdout, /: warning: \/process\/capabilities: null, treated as absent\n/);
      match(v.stdout, /: warning: \/linux\/namespaces\/0\/path: null, treated as absent\n/);
    } finally {
      await b.cleanup();
    }
  },
);

Deno.test({ name: "a uint64 beyond 2^64-1 fails create with one line", ignore }, async () => {
  const b = await makeBundle({
    config: (c) => c.process.rlimits = [{ type: "RLIMIT_CORE", soft: 1, hard: 1 }],
  });
  try {
    const path = `${b.dir}/config.json`;
    const text = Deno.readTextFileSync(path).replace('"hard": 1', '"hard": 18446744073709551616');
    Deno.writeTextFileSync(path, text);
    const id = uniqueId("uint64");
    const r = await tsrun(["create", "-b", b.dir, id]);
    assertEquals(r.code, 1);
    assertEquals(
      r.stderr,
      "tsrun: config.json: /process/rlimits/0/hard: expected uint64 (0..18446744073709551615), " +
        "got 18446744073709551616\n",
    );
    assertEquals((await tsrun(["state", id])).code, 1, "no state");
    assertNothingLeft({ path: b.dir, marker: id });
    // The largest uint64 is RLIM_INFINITY, which JSON.parse rounds to 2^64: it must not wrap
    // to 0 on its way to prlimit.
    b.config.process.args = ["sh", "-c", "ulimit -c"];
    b.writeConfig();
    const infinity = Deno.readTextFileSync(path).replace(
      /"(soft|hard)": 1\b/g,
      '"$1": 18446744073709551615',
    );
    Deno.writeTextFileSync(path, infinity);
    const ok = await tsrun(["run", "-b", b.dir, id]);
    assertEquals([ok.code, ok.stdout], [0, "unlimited\n"], ok.stderr);
  } finally {
    await b.cleanup();
  }
});
