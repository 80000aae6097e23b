// The zod-free fast path of config validation (specs/shape.ts, specs/fast-config.ts) against
// zod, the single source of truth: the checked-in Shape is current, every document it passes
// zod parses to an equal value (and it passes every one zod returns unchanged), and loadConfig
// says the same on both paths.
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import * as z from "zod";
import { loadConfig } from "../../cli/common.ts";
import { validateConfig } from "../../specs/bundle.ts";
import { defaultSpec } from "../../specs/default-spec.ts";
import { validateConfigFast } from "../../specs/fast-config.ts";
import { CONFIG_SHAPE } from "../../specs/generated/config-shape.ts";
import { uint32 } from "../../specs/primitives.ts";
import { ConfigSchema } from "../../specs/schema/config.ts";
import { matches } from "../../specs/shape.ts";
import { shapeOf } from "../../specs/shape-gen.ts";
import { defaultConfig } from "../helpers/config.ts";
import { dockerConfig, podmanConfig } from "./engine-configs.ts";
import { baseConfig, type Json } from "./util.ts";

const dockerProfile = JSON.parse(
  Deno.readTextFileSync(new URL("../seccomp/fixtures/default-profile.json", import.meta.url)),
);

/** Every good config the tests know, as JSON: the fast path must take each. */
const FIXTURES: Record<string, () => Json> = Object.fromEntries(
  Object.entries({
    base: baseConfig,
    "tests/helpers default": () => defaultConfig(["true"]),
    "tsrun spec": () => defaultSpec({ cgroupNamespace: true }),
    "tsrun spec --rootless": () =>
      defaultSpec({ cgroupNamespace: false, rootless: { uid: 1000, gid: 1000 } }),
    podman: podmanConfig,
    docker: dockerConfig,
    // Number-like text in strings, which must not send a config to zod for its digits.
    "digests in strings": () => ({
      ...baseConfig(),
      annotations: { "org.opencontainers.image.revision": "1e5a01234567890123456789abcdef" },
    }),
    "docker's seccomp profile": () => ({
      ...podmanConfig(),
      linux: { ...podmanConfig().linux, seccomp: dockerProfile },
    }),
  }).map(([name, make]) => [name, () => JSON.parse(JSON.stringify(make()))]),
);

Deno.test("the checked-in Shape of ConfigSchema is the one the schema makes", () => {
  assert.deepEqual(
    CONFIG_SHAPE,
    shapeOf(ConfigSchema),
    "specs/generated/config-shape.ts is stale: run `deno task gen-shapes`",
  );
});

Deno.test("shapeOf: what it cannot mirror exactly is opaque", () => {
  const opaque = [
    z.string().refine((s) => s !== "x"),
    z.string().trim(),
    z.string().regex(/a/i),
    z.string().regex(/a/).regex(/b/),
    z.string().email(),
    z.string().default("x"),
    z.string().nullable(),
    z.string().transform((s) => s.length),
    z.coerce.string(),
    z.number(),
    z.number().int(),
    uint32.min(1),
    uint32.refine((n) => n !== 7),
    z.boolean().refine((b) => b),
    z.object({ a: z.string() }),
    z.strictObject({ a: z.string() }),
    z.looseObject({ a: z.string() }).refine(() => true),
    z.array(z.string()).refine(() => true),
    z.record(z.string().min(1), z.string()),
    z.record(z.enum(["a"]), z.string()),
    z.union([z.string(), z.boolean()]),
    z.literal("x"),
    z.unknown(),
  ];
  for (const s of opaque) assert.deepEqual(shapeOf(s), { t: "opaque" }, JSON.stringify(s.def));
  assert.deepEqual(shapeOf(z.string().min(1).max(3).regex(/^a/)), {
    t: "str",
    min: 1,
    max: 3,
    re: "^a",
  });
  assert.deepEqual(shapeOf(uint32), { t: "int", lo: 0, hi: 4294967295 });
  // An opaque member only fails a document that has it.
  const shape = shapeOf(z.looseObject({ a: z.string().trim().optional(), b: z.boolean() }));
  assert.equal(matches(shape, { b: true }), true);
  assert.equal(matches(shape, { a: "x", b: true }), false);
});

/** Each path into `v`: every member, and the first and last element of each array. */
function* paths(v: unknown, at: PropertyKey[] = []): Generator<PropertyKey[]> {
  yield at;
  if (Array.isArray(v)) {
    for (const i of new Set([0, v.length - 1].filter((i) => i >= 0))) {
      yield* paths(v[i], [...at, i]);
    }
  } else if (typeof v === "object" && v !== null) {
    for (const [k, x] of Object.entries(v)) yield* paths(x, [...at, k]);
  }
}

const OTHER_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 64,
  2 ** 65,
  -(2 ** 63),
  -(2 ** 64),
  "",
  "x",
  "SCMP_ACT_ALLOW",
  "0-3",
  "MB:1",
  [],
  [""],
  [null],
  {},
  { x: 1 },
];

/** What a value at a path may be changed to, besides one of OTHER_VALUES. */
function variants(v: unknown): unknown[] {
  if (typeof v === "number") return [v + 0.5, -v - 1, v * 2 ** 32, v + 2 ** 53];
  if (typeof v === "string") return [v + "\n", v + "x", v.slice(1), v.toUpperCase()];
  if (Array.isArray(v)) return [[...v, ...v], [...v, null], [...v, {}]];
  if (typeof v === "object" && v !== null) {
    // JSON.parse makes "__proto__" an own key, which an assignment would not.
    const proto = Object.defineProperty({ ...v }, "__proto__", {
      value: {},
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return [{ ...v, unknownKey: 1 }, { ...v, unknownKey: null }, proto];
  }
  return [];
}

/** Every document one change away from `doc`: deleted, replaced or grown at each path. */
function* mutations(doc: Json): Generator<[string, unknown]> {
  for (const v of variants(doc)) yield [`/ grown: ${JSON.stringify(v)}`, v];
  for (const path of paths(doc)) {
    if (path.length === 0) continue;
    const parentPath = path.slice(0, -1);
    const key = path.at(-1) as string;
    const edit = (how: (parent: Json) => void): Json => {
      const copy = structuredClone(doc);
      how(parentPath.reduce((o: Json, k) => o[k as string], copy));
      return copy;
    };
    const at = path.join("/");
    yield [
      `${at}: deleted`,
      edit((p) => Array.isArray(p) ? p.splice(Number(key), 1) : delete p[key]),
    ];
    const value = parentPath.reduce((o: Json, k) => o[k as string], doc)[key];
    for (const v of [...OTHER_VALUES, ...variants(value)]) {
      yield [`${at}: ${JSON.stringify(v)}`, edit((p) => p[key] = structuredClone(v))];
    }
  }
}

Deno.test("matches: a document the Shape passes, zod parses to an equal value", () => {
  for (const [name, make] of Object.entries(FIXTURES)) {
    assert.equal(matches(CONFIG_SHAPE, make()), true, `the fast path must take ${name}`);
    let passed = 0, failed = 0;
    for (const [what, doc] of mutations(make())) {
      const r = ConfigSchema.safeParse(doc);
      const unchanged = r.success && isDeepStrictEqual(r.data, doc);
      if (matches(CONFIG_SHAPE, doc)) {
        passed++;
        assert.ok(r.success, `${name}, ${what}: zod refuses what the Shape passed`);
        assert.deepStrictEqual(r.data, doc, `${name}, ${what}: zod changed it`);
      } else {
        failed++;
        // The fast path gives up only where zod fails or changes the document.
        assert.ok(!unchanged, `${name}, ${what}: zod returns it unchanged, the Shape fails it`);
      }
    }
    assert.ok(passed > 20 && failed > 100, `${name}: ${passed} passed, ${failed} failed`);
  }
});

/** A bundle with an empty rootfs and `text` as its config.json. */
function bundleWith(text: string): string {
  const dir = Deno.makeTempDirSync({ prefix: "tsrun-fast-path-test-" });
  Deno.mkdirSync(`${dir}/rootfs`);
  Deno.writeTextFileSync(`${dir}/config.json`, text);
  return dir;
}

/** loadConfig's config, or its error message. */
async function outcome(load: () => Promise<unknown>): Promise<unknown> {
  try {
    return await load();
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/** Good structure, bad semantics: each change is an error for create. */
const SEMANTICALLY_BAD: Record<string, (c: Json) => void> = {
  "missing rootfs": (c) => c.root.path = "nowhere",
  "relative cwd": (c) => c.process.cwd = "tmp",
  "hostname without a uts namespace": (c) =>
    c.linux.namespaces = c.linux.namespaces.filter((n: Json) => n.type !== "uts"),
  "relative hook path": (c) => c.hooks = { createRuntime: [{ path: "true" }] },
  "two errors": (c) => {
    c.process.cwd = "tmp";
    c.linux.namespaces.push({ type: "pid" });
  },
};

/** Only warned about: the config loads. */
const WARNED: Record<string, (c: Json) => void> = {
  "relative mount destination": (c) => c.mounts = [{ destination: "proc", type: "proc" }],
  "env entry without =": (c) => c.process.env = ["NOEQUALS"],
};

/** A Go-style null, which the zod path drops with a warning: the config loads. */
const GO_NULL = "null optional member";

/**
 * What the fast path leaves to zod, all errors but GO_NULL, some only in the text:
 * [change, [text in the JSON, what it becomes]].
 */
const FOR_ZOD: Record<string, [(c: Json) => void, [string, string]?]> = {
  "uid out of range": [(c) => c.process.user.uid = 2 ** 32],
  [GO_NULL]: [(c) => c.hostname = null],
  "uint64 past 2^64-1 by its digits": [
    (c) => c.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1, hard: 1 }],
    ['"hard": 1', '"hard": 18446744073709551616'],
  ],
  "an integer by its double only": [(c) => c.process.user.uid = 0, ['"uid": 0', '"uid": 1e-400']],
};

/** The base config changed by `change`, as the text of a config.json. */
function textAfter(change: (c: Json) => void, [from, to] = ["", ""]): string {
  const c = baseConfig();
  change(c);
  const text = JSON.stringify(c, null, 2);
  assert.ok(text.includes(from), from);
  return text.replace(from, to);
}

const CASES: [string, string][] = [
  ...Object.entries(FIXTURES).map(([n, make]): [string, string] => [
    n,
    JSON.stringify(make(), null, 2),
  ]),
  ...Object.entries({ ...SEMANTICALLY_BAD, ...WARNED }).map(([n, change]): [string, string] => [
    n,
    textAfter(change),
  ]),
];

const BAD_CASES: [string, string][] = Object.entries(FOR_ZOD).map((
  [n, [change, replace]],
) => [n, textAfter(change, replace)]);

Deno.test("validateConfigFast finds what validateConfig finds, or leaves it to zod", () => {
  for (const [name, text] of CASES) {
    const dir = bundleWith(text);
    try {
      const fast = validateConfigFast(JSON.parse(text), dir, text);
      assert.ok(fast, `${name}: not on the fast path`);
      assert.deepStrictEqual(fast, validateConfig(JSON.parse(text), dir, text), name);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }
  for (const [name, text] of BAD_CASES) {
    assert.equal(validateConfigFast(JSON.parse(text), "/nowhere", text), undefined, name);
  }
});

Deno.test("loadConfig: the fast path and the zod path agree on configs and errors", async () => {
  for (const [name, text] of [...CASES, ...BAD_CASES]) {
    const dir = bundleWith(text);
    try {
      // With the parsed config, as create passes it, and without, which takes zod.
      const fast = await outcome(() => loadConfig(dir, JSON.parse(text), text));
      const zod = await outcome(() => loadConfig(dir));
      assert.deepStrictEqual(fast, zod, name);
      const fails = name in SEMANTICALLY_BAD || (name in FOR_ZOD && name !== GO_NULL);
      assert.equal(
        typeof fast === "string" && fast.startsWith("error: config.json: /"),
        fails,
        name,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }
});

Deno.test("the fast path's code imports no zod", async () => {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../../specs/fast-config.ts", import.meta.url).href],
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(info.stdout));
  const modules = new Map<string, { dependencies?: { code?: { specifier?: string } }[] }>(
    graph.modules.map((m: { specifier: string }) => [m.specifier, m]),
  );
  const seen = new Set<string>();
  const todo: string[] = [...graph.roots];
  for (let s = todo.pop(); s !== undefined; s = todo.pop()) {
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of modules.get(s)?.dependencies ?? []) {
      if (d.code?.specifier) todo.push(d.code.specifier);
    }
  }
  assert.ok(seen.size > 10, [...seen].join("\n"));
  assert.deepEqual([...seen].filter((s) => !s.startsWith("file:")), []);
});
