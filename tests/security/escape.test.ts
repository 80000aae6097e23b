// CVE-2019-5736 as an attacker inside a container would try it: probe.sh watches the container's
// pid namespace for processes that are not its own, holds their /proc/PID/exe, and reopens it
// for writing once nothing executes it. tsrun's processes pass through that namespace during
// `exec`, and during `create` of a second container joining it (a pod sharing its pids). Each
// run ends with a control: a process placed there the same way, with the container's uid and no
// more capabilities, but dumpable and executing a writable host file; the probe must report it
// WRITABLE, which shows it finds what it looks for.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import {
  type Bundle,
  findBusybox,
  hasCommand,
  makeBundle,
  readOr,
  requireRoot,
  skipUnless,
  until,
} from "../helpers/mod.ts";
import { command } from "../helpers/command.ts";
import { type CopiedTsrun, copiedTsrun } from "./util.ts";

const ignore = requireRoot("containers") ||
  skipUnless(hasCommand("nsenter") && hasCommand("setpriv"), "needs nsenter and setpriv");

const PROBE = new URL("./probe.sh", import.meta.url);

interface Probe {
  id: string;
  pid: number;
  bundle: Bundle;
}

/** Runs `body` with a probe container running; the container goes whatever happens. */
async function withProbe(
  t: CopiedTsrun,
  id: string,
  body: (p: Probe) => Promise<void>,
): Promise<void> {
  const bundle = await makeBundle({
    args: ["sh", "-c", "sh /probe.sh >/result 2>&1"],
    config: (c) => c.root.readonly = false,
  });
  try {
    Deno.copyFileSync(PROBE, join(bundle.rootfs, "probe.sh"));
    assertEquals((await t.run(["run", "-d", "-b", bundle.dir, id])).code, 0);
    const pid = JSON.parse((await t.run(["state", id])).stdout).pid;
    await body({ id, pid, bundle });
  } finally {
    await t.run(["delete", "-f", id]);
    await bundle.cleanup();
  }
}

/** Places the control process in the probe's pid namespace; returns its executable's path. */
async function control(p: Probe): Promise<string> {
  // busybox picks its applet by name: the copy is called sleep.
  const exe = join(p.bundle.dir, "..", "control", "sleep");
  Deno.mkdirSync(join(exe, ".."));
  Deno.copyFileSync(findBusybox(), exe);
  Deno.chmodSync(exe, 0o755);
  // uid 0 like the container's processes; after setpriv, no capabilities at all.
  const r = await command([
    ...["nsenter", "-t", String(p.pid), "-p", "--"],
    ...["setpriv", "--bounding-set=-all", "--inh-caps=-all", exe, "1"],
  ]);
  assertEquals(r.code, 0, r.stderr);
  return exe;
}

/** Stops the probe; returns its report, checked: only the control may be WRITABLE. */
async function finish(p: Probe, controlExe: string): Promise<string[]> {
  const result = join(p.bundle.rootfs, "result");
  Deno.writeTextFileSync(join(p.bundle.rootfs, "stop"), "");
  const out = await until(() => readOr(result), (s) => s.includes("DONE"), 60_000);
  const lines = out.trim().split("\n");
  console.log(`probe report:\n  ${lines.join("\n  ")}`);
  ok(out.includes("DONE"), `the probe did not finish: ${out}`);
  const writable = lines.filter((l) => l.startsWith("WRITABLE"));
  ok(
    writable.some((l) => l.endsWith(` ${controlExe}`)),
    "the probe missed the control: it would miss tsrun's processes too",
  );
  assertEquals(writable.filter((l) => !l.endsWith(` ${controlExe}`)), []);
  // REFUSED: a tsrun process was open to the container, only the seal stopped the write.
  assertEquals(lines.filter((l) => l.startsWith("REFUSED")), []);
  return lines;
}

/** DENIED lines of the report, but the control's (denied while it still had capabilities). */
function denied(lines: string[]): string[] {
  const controlPid = lines.find((l) => l.startsWith("WRITABLE"))!.split(" ")[1];
  return lines.filter((l) => l.startsWith("DENIED") && l !== `DENIED ${controlPid}`);
}

Deno.test({ name: "escape probe: exec into the container", ignore }, async () => {
  const t = copiedTsrun();
  try {
    await withProbe(t, `esc-exec-${Deno.pid}`, async (p) => {
      for (let round = 0; round < 20; round++) {
        const r = await t.run(["exec", p.id, "true"]);
        assertEquals(r.code, 0, r.stderr);
      }
      // The race made certain: strace holds the child in execve, after it took the container's
      // uid and capabilities and before the program replaced tsrun's image.
      const slow = !skipUnless(hasCommand("strace"), "the held exec round needs strace");
      if (slow) {
        const r = await t.run(["exec", p.id, "true"], {
          prefix: [
            ...["strace", "-f", "-o", "/dev/null", "-e", "trace=execve"],
            ...["-e", "inject=execve:delay_enter=1500000", "--"],
          ],
        });
        assertEquals(r.code, 0, r.stderr);
      }
      const lines = await finish(p, await control(p));
      if (slow) ok(denied(lines).length > 0, "the probe did not see the held exec child");
    });
  } finally {
    t.cleanup();
  }
});

Deno.test(
  { name: "escape probe: create of a container joining the pid namespace", ignore },
  async () => {
    const t = copiedTsrun();
    const rounds = 3;
    try {
      await withProbe(t, `esc-pod-${Deno.pid}`, async (p) => {
        for (let round = 0; round < rounds; round++) {
          const b = await makeBundle({
            args: ["true"],
            config: (c) => {
              const pid = c.linux.namespaces.find((n: { type: string }) => n.type === "pid");
              pid.path = `/proc/${p.pid}/ns/pid`;
            },
          });
          const id = `esc-pod-${Deno.pid}-${round}`;
          try {
            const r = await t.run(["create", "-b", b.dir, id]);
            assertEquals(r.code, 0, r.stderr);
            // The init waits for start in the probe's pid namespace, in full view.
            await new Promise((r) => setTimeout(r, 300));
            assertEquals((await t.run(["start", id])).code, 0);
          } finally {
            await t.run(["delete", "-f", id]);
            await b.cleanup();
          }
        }
        const lines = await finish(p, await control(p));
        // Every waiting init was seen, and none could even be opened: they are non-dumpable.
        ok(denied(lines).length >= rounds, "the probe did not see each waiting init");
      });
    } finally {
      t.cleanup();
    }
  },
);
