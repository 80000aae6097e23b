// An exec'd process gets the container's seccomp filter, whether the spawn child installs it
// before the credential change (no no_new_privs) or right before execve (no_new_privs).
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { requireRoot } from "../helpers/mod.ts";
import { exec, runningContainer } from "./util.ts";

const ignore = requireRoot("exec");

Deno.test(
  { name: "exec'd processes run under the container's seccomp filter", ignore },
  async () => {
    const c = await runningContainer("exec-seccomp", {
      config: (cfg) => {
        cfg.linux.seccomp = {
          defaultAction: "SCMP_ACT_ALLOW",
          syscalls: [{ names: ["chdir"], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
        };
      },
    });
    try {
      const probe = [
        "sh",
        "-c",
        "grep ^Seccomp: /proc/self/status; grep ^NoNewPrivs: /proc/self/status; cd /tmp",
      ];
      for (const [flags, nnp] of [[[], "1"], [["--no-new-privs=false"], "0"]] as const) {
        const r = await exec(c.id, probe, [...flags]);
        assertEquals(r.code, 2, `chdir is refused (${flags.join(" ")})`);
        assertEquals(r.stdout, `Seccomp:\t2\nNoNewPrivs:\t${nnp}\n`);
        match(r.stderr, /can't cd to \/tmp: Operation not permitted/);
      }
      const plain = await exec(c.id, ["true"], ["-u", "1000"]);
      assertEquals([plain.code, plain.stderr], [0, ""]);
    } finally {
      await c.remove();
    }
  },
);
