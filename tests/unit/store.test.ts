// The state store without root: the cgroup recorded at claim, a state that cannot be used named
// in one line with the command that removes it, and what survives of one for `delete --force`.
import { deepStrictEqual as assertEquals, match, ok, throws } from "node:assert/strict";
import { join } from "node:path";
import { notExist, Store, UnusableState } from "../../runtime/state/store.ts";

const record = { layout: "v2" as const, paths: { "": "/sys/fs/cgroup/x" } };

function withStore(fn: (store: Store) => void) {
  const root = Deno.makeTempDirSync({ prefix: "tsrun-store-" });
  try {
    fn(new Store(root));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

Deno.test("claim records the cgroup, and a second claim of the id fails", () => {
  withStore((store) => {
    const lock = store.claim("c1", record);
    try {
      assertEquals(JSON.parse(Deno.readTextFileSync(join(store.dir("c1"), "cgroup.json"))), record);
      throws(() => store.claim("c1", record), /container with id exists: c1/);
    } finally {
      lock.close();
    }
  });
});

Deno.test("a claim that cannot record its cgroup leaves the id free", () => {
  withStore((store) => {
    // A BigInt cannot be written as JSON: the record fails after the directory was made.
    const unwritable = { layout: "v2" as const, paths: { "": 1n as unknown as string } };
    throws(() => store.claim("c0", unwritable), TypeError);
    assertEquals(store.ids(), []);
    store.claim("c0", record).close();
    assertEquals(store.ids(), ["c0"]);
  });
});

Deno.test("a claimed id without state: unusable, absent, and its cgroup survives", () => {
  withStore((store) => {
    store.claim("c2", record).close();
    const e = (() => {
      try {
        store.read("c2");
      } catch (e) {
        return e;
      }
    })();
    ok(e instanceof UnusableState && e.absent, String(e));
    match(e.message, /^container c2 has no state: .*delete --force c2/);
    assertEquals(store.remnants("c2"), { cgroup: record });
    throws(() => store.read("nosuch"), { message: notExist("nosuch").message });
  });
});

Deno.test("a torn or garbage state.json names the broken part", () => {
  withStore((store) => {
    store.claim("c3", record).close();
    const file = join(store.dir("c3"), "state.json");
    const cases: [string, RegExp][] = [
      ["", /not a JSON object/],
      ['{"id":"c3","pid":', /not a JSON object/],
      ["[1]", /not a JSON object/],
      ['{"id":"c3","pid":"12"}', /bundle: not a string/],
      [
        '{"id":"c3","bundle":"/b","created":"x","pid":1,"pidStart":2,"cgroup":{},' +
        '"config":{},"annotations":{}}',
        /cgroup\.paths: not an object/,
      ],
    ];
    for (const [text, why] of cases) {
      Deno.writeTextFileSync(file, text);
      throws(() => store.read("c3"), (e: Error) => {
        ok(e instanceof UnusableState && !e.absent, text);
        match(e.message, /^container c3: unusable state\.json \(.*\); delete --force c3 /);
        match(e.message, why);
        return true;
      });
    }
  });
});

Deno.test("remnants: the state's cgroup first, then the claim's; the init when it is named", () => {
  withStore((store) => {
    store.claim("c4", record).close();
    const file = join(store.dir("c4"), "state.json");
    const other = { layout: "v2", paths: { "": "/sys/fs/cgroup/y" } };
    Deno.writeTextFileSync(file, JSON.stringify({ pid: 7, pidStart: 9, cgroup: other }));
    assertEquals(store.remnants("c4"), { cgroup: other, init: { pid: 7, start: 9 } });
    Deno.writeTextFileSync(file, JSON.stringify({ pid: 7, pidStart: 9, cgroup: "torn" }));
    assertEquals(store.remnants("c4"), { cgroup: record, init: { pid: 7, start: 9 } });
    Deno.removeSync(join(store.dir("c4"), "cgroup.json"));
    assertEquals(store.remnants("c4"), { init: { pid: 7, start: 9 } });
  });
});
