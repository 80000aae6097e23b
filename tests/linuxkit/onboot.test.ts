// `tsrun onboot DIR` over real bundles (as root): lexical order, output passed through or to
// --log-dir, a failure in the middle does not stop the rest, one summary line each.
import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { assertNothingLeft, requireRoot, stateRoot, tsrun, writeBundle } from "../helpers/mod.ts";

const ignore = requireRoot("onboot containers");

/** DIR with three bundles, named so that their lexical order is not their creation order. */
function onbootDir(t: string, third: string[]): { top: string; dir: string; names: string[] } {
  const top = Deno.makeTempDirSync({ prefix: "tsrun-test-onboot-" });
  const dir = `${top}/onboot`;
  const names = [`lk-${t}-000-first`, `lk-${t}-001-broken`, `lk-${t}-002-last`];
  writeBundle(`${dir}/${names[2]}`, { args: third });
  writeBundle(`${dir}/${names[0]}`, { args: ["sh", "-c", "echo out-first; echo err-first >&2"] });
  writeBundle(`${dir}/${names[1]}`, { args: ["true"] });
  Deno.writeTextFileSync(
    `${dir}/${names[1]}/runtime.json`,
    JSON.stringify({ interfaces: [{ name: `lk${t}`, add: "veth" }] }),
  );
  // Not a bundle: only directories are.
  Deno.writeTextFileSync(`${dir}/README`, "");
  return { top, dir, names };
}

const summary = (name: string, outcome: string) =>
  new RegExp(`^onboot: ${name}: ${outcome} \\(\\d+\\.\\d\\d s\\)$`);

Deno.test({ name: "onboot: in order, past a failure, exit 1", ignore }, async () => {
  const t = Math.random().toString(16).slice(2, 6);
  const { top, dir, names } = onbootDir(t, ["sh", "-c", "echo out-last"]);
  try {
    const log = `${top}/tsrun.log`;
    const r = await tsrun(["--log", log, "--log-format", "json", "onboot", dir]);
    assertEquals(r.code, 1);
    assertEquals(r.stdout, "out-first\nout-last\n");
    // The failure reaches the log as engines read it, too.
    const logged = Deno.readTextFileSync(log).trimEnd().split("\n").map((l) => JSON.parse(l));
    assertEquals(logged.map((l) => [l.level, l.msg]), [
      ["error", `onboot ${names[1]}: runtime.json: /interfaces/0: veth needs a peer`],
    ]);
    const lines = r.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 4, r.stderr);
    assertEquals(lines[0], "err-first");
    match(lines[1], summary(names[0], "exit 0"));
    match(
      lines[2],
      summary(names[1], "failed: runtime\\.json: /interfaces/0: veth needs a peer"),
    );
    match(lines[3], summary(names[2], "exit 0"));
    assertEquals([...Deno.readDirSync(stateRoot())], []);
    for (const name of names) assertNothingLeft({ path: dir, marker: name });

    // With --log-dir, each container's output in its own file; the summary still on stderr.
    const logs = `${top}/logs`;
    Deno.removeSync(`${dir}/${names[1]}/runtime.json`);
    const quiet = await tsrun(["onboot", "--log-dir", logs, dir]);
    assertEquals([quiet.code, quiet.stdout], [0, ""]);
    assertEquals(quiet.stderr.trimEnd().split("\n").length, 3, quiet.stderr);
    assertEquals(Deno.readTextFileSync(`${logs}/${names[0]}.log`), "out-first\nerr-first\n");
    assertEquals(Deno.readTextFileSync(`${logs}/${names[1]}.log`), "");
    assertEquals(Deno.readTextFileSync(`${logs}/${names[2]}.log`), "out-last\n");
  } finally {
    Deno.removeSync(top, { recursive: true });
  }
});

Deno.test(
  { name: "onboot: a non-zero exit fails the run; a missing DIR is fine", ignore },
  async () => {
    const t = Math.random().toString(16).slice(2, 6);
    const { top, dir, names } = onbootDir(t, ["sh", "-c", "exit 3"]);
    try {
      Deno.removeSync(`${dir}/${names[1]}/runtime.json`);
      const r = await tsrun(["onboot", dir]);
      assertEquals(r.code, 1);
      match(r.stderr.trimEnd().split("\n").at(-1)!, summary(names[2], "exit 3"));
      const none = await tsrun(["onboot", `${top}/nowhere`]);
      assertEquals([none.code, none.stdout, none.stderr], [0, "", ""]);
    } finally {
      Deno.removeSync(top, { recursive: true });
    }
  },
);
