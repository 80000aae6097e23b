// The eBPF device filter on a pure cgroup v2 layout (no devices controller exists there): the
// config's rules are enforced inside the container, for exec'd processes too, and the devices
// every container gets stay usable.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { makeBundle, skipUnless } from "../helpers/mod.ts";
import { PureV2 } from "./pure-v2.ts";

const v2 = await PureV2.open();
const ignore = skipUnless(typeof v2 !== "string", `pure cgroup v2 view: ${v2}`);
const ns = v2 as PureV2;
const misc = Deno.readTextFileSync("/proc/misc");
const devices = skipUnless(
  /^\s*237 loop-control$/m.test(misc) && /^\s*229 fuse$/m.test(misc),
  "the kernel has no loop-control or fuse misc device to open",
);

// One line per check: "<name> ok" or "<name> <error>". The devices are misc devices that open
// without privileges, so an EPERM can only be the filter's.
const CHECKS: [string, string][] = [
  ["loop-read", "exec 3</dev/loop-control"],
  ["loop-write", "exec 3>/dev/loop-control"],
  ["fuse-read", "exec 3</dev/fuse"],
  ["null-write", "echo x >/dev/null"],
  ["zero-read", "head -c 4 /dev/zero >/dev/null"],
  ["urandom-read", "head -c 4 /dev/urandom >/dev/null"],
  ["random-read", "head -c 4 /dev/random >/dev/null"],
  ["full-write", "echo x >/dev/full"],
  ["ptmx-open", "exec 3<>/dev/ptmx"],
  ["tty-open", "exec 3</dev/tty"],
];
const SCRIPT = CHECKS.map(([name, cmd]) =>
  `if e=$( (${cmd}) 2>&1 ); then echo "${name} ok"; else echo "${name} \${e##*: }"; fi`
).join("\n");

const EPERM = "Operation not permitted";
const EXPECTED = {
  "loop-read": "ok",
  "loop-write": EPERM,
  "fuse-read": EPERM,
  // The defaults come after the config's rules, so they win over its deny, as in runc.
  "null-write": "ok",
  "zero-read": "ok",
  "urandom-read": "ok",
  "random-read": "ok",
  "full-write": "No space left on device", // the filter let it reach the driver
  "ptmx-open": "ok",
  "tty-open": "No such device or address", // allowed; there is no controlling terminal
};

const results = (out: string) =>
  Object.fromEntries(
    out.trim().split("\n").map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)]),
  );

/** Device nodes of two misc devices, and rules: deny all, loop-control read-only, no /dev/null
 * write. `args` is the container's process. */
function bundle(args: string[]) {
  return makeBundle({
    args,
    config: (c) => {
      c.linux.devices = [
        { path: "/dev/loop-control", type: "c", major: 10, minor: 237, fileMode: 0o666 },
        { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o666 },
      ];
      c.linux.resources.devices = [
        { allow: false, access: "rwm" },
        { allow: true, type: "c", major: 10, minor: 237, access: "r" },
        { allow: false, type: "c", major: 1, minor: 3, access: "w" },
      ];
    },
  });
}

Deno.test(
  {
    name: "v2 device rules: an eBPF filter enforces them on the container",
    ignore: ignore || devices,
  },
  async () => {
    const b = await bundle(["sh", "-c", SCRIPT]);
    const id = `v2-devices-${Deno.pid}`;
    try {
      const r = await ns.tsrun(["run", "-b", b.dir, id]);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(results(r.stdout), EXPECTED);
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);

Deno.test(
  { name: "v2 device rules: exec'd processes are filtered too", ignore: ignore || devices },
  async () => {
    const b = await bundle(["sleep", "60"]);
    const id = `v2-devexec-${Deno.pid}`;
    try {
      assertEquals((await ns.tsrun(["run", "-d", "-b", b.dir, id])).code, 0);
      const r = await ns.tsrun(["exec", id, "sh", "-c", SCRIPT]);
      assertEquals([r.code, r.stderr], [0, ""]);
      assertEquals(results(r.stdout), EXPECTED);
    } finally {
      await ns.tsrun(["delete", "-f", id]);
      await b.cleanup();
    }
  },
);
