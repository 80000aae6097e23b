// scripts/tsrun runs a command from its bundle while none of its sources changed since it was
// built, and from source as soon as one did (or when another Deno built it): checked in a scratch
// copy of the working tree, whose bundles and sources the test may edit.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { join } from "node:path";
import { command } from "../helpers/command.ts";
import { hasCommand, REPO_ROOT, skipUnless } from "../helpers/mod.ts";

const ignore = skipUnless(hasCommand("git"), "needs git to clone the repo");

Deno.test(
  { name: "bundles: fresh ones run, a changed source runs from source", ignore },
  async () => {
    const dir = Deno.makeTempDirSync({ prefix: "tsrun-bundles-" });
    try {
      const clone = join(dir, "tsrun");
      // Every file git sees in the working tree, committed or not.
      const ls = await command(["git", "-C", REPO_ROOT, "ls-files", "-co", "--exclude-standard"]);
      assertEquals(ls.code, 0, ls.stderr);
      for (const f of ls.stdout.trim().split("\n")) {
        Deno.mkdirSync(join(clone, f, ".."), { recursive: true });
        Deno.copyFileSync(join(REPO_ROOT, f), join(clone, f));
        Deno.chmodSync(join(clone, f), Deno.statSync(join(REPO_ROOT, f)).mode! & 0o777);
      }
      Deno.mkdirSync(join(clone, ".tools"));
      for (const t of ["deno", "deno-dir"]) {
        Deno.symlinkSync(join(REPO_ROOT, ".tools", t), join(clone, ".tools", t));
      }
      const deno = join(REPO_ROOT, "scripts", "deno");
      const b = await command([
        deno,
        "run",
        "-A",
        join(clone, "scripts/bundle.ts"),
        "features",
        "checks.part",
      ]);
      assertEquals(b.code, 0, b.stderr);
      const tsrun = join(clone, "scripts", "tsrun");

      // A mark at the top of the bundle itself shows which one ran.
      const bundle = join(clone, ".tools/bundle/features.js");
      const code = Deno.readTextFileSync(bundle);
      // (Its stamp is rewritten with its own mtime: the edit must not make it newer.)
      const stamp = join(clone, ".tools/bundle/features.fresh");
      const edit = (text: string) => {
        const { mtime } = Deno.statSync(stamp);
        Deno.writeTextFileSync(bundle, text);
        Deno.utimeSync(stamp, mtime!, mtime!);
      };
      edit(`console.error("from the bundle");\n${code}`);
      const fresh = await command([tsrun, "features"], { clearEnv: true });
      assertEquals([fresh.code, fresh.stderr], [0, "from the bundle\n"]);
      const features = JSON.parse(fresh.stdout);

      // A mark in the source, with its old mtime kept: to scripts/tsrun the bundle is still fresh.
      const src = join(clone, "cli/commands/features.ts");
      const { mtime: old } = Deno.statSync(src);
      Deno.writeTextFileSync(src, 'console.error("from source");\n', { append: true });
      Deno.utimeSync(src, old!, old!);
      // A bundle another Deno built starts, and hands over to the sources.
      const version = JSON.stringify(Deno.version.deno);
      ok(code.includes(version), "the bundle names the Deno that built it");
      edit(`console.error("from the bundle");\n${code.replace(version, '"0.0.0"')}`);
      const other = await command([tsrun, "features"], { clearEnv: true });
      assertEquals([other.code, other.stderr], [0, "from the bundle\nfrom source\n"]);
      assertEquals(JSON.parse(other.stdout), features);
      edit(`console.error("from the bundle");\n${code}`);

      // An edited source makes the bundle stale: scripts/tsrun runs the sources instead.
      Deno.utimeSync(src, new Date(), new Date());
      const stale = await command([tsrun, "features"], { clearEnv: true });
      assertEquals([stale.code, stale.stderr], [0, "from source\n"]);
      assertEquals(JSON.parse(stale.stdout), features);

      // Commands without a bundle, and no command at all, run from source.
      const spec = await command([tsrun, "--version"], { clearEnv: true });
      ok(spec.stdout.startsWith("tsrun version "), spec.stderr);
      // A part's bundle is no command, though it lies beside them.
      const part = await command([tsrun, "checks.part"], { clearEnv: true });
      assertEquals(part.code, 1);
      ok(part.stderr.startsWith("tsrun: no such command: checks.part"), part.stderr);
      // The hidden init, called by hand, says what it is for in one line.
      const init = await command([tsrun, "init"], { clearEnv: true });
      assertEquals([init.code, init.stderr], [1, "tsrun: init is started by create and run\n"]);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
);
