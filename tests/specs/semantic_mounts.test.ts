// Semantic rules on mounts[]: passing and failing cases with exact pointers.
import { IMPLEMENTED } from "../../specs/implemented.ts";
import {
  assertClean,
  assertOnly,
  assertProblems,
  BUNDLE,
  problemsAfter,
  unlessImplemented,
} from "./util.ts";

const proc = { destination: "/proc", type: "proc", source: "proc" };

Deno.test("runc's default mounts have no problems", () => {
  assertClean((c) =>
    c.mounts = [
      proc,
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "mode=755"] },
      { destination: "/sys", type: "none", source: "/sys", options: ["rbind", "nosuid", "ro"] },
      { destination: "/data", type: "bind", source: "rootfs", options: ["bind", "rprivate"] },
    ]
  );
});

Deno.test("destination: absolute (relative is deprecated), not empty", () => {
  assertOnly(
    (c) => c.mounts = [{ ...proc, destination: "proc" }],
    "warning",
    "/mounts/0/destination",
    /relative, which is deprecated: it is taken as \/proc/,
  );
  assertOnly(
    (c) => c.mounts = [{ ...proc, destination: "" }],
    "error",
    "/mounts/0/destination",
    /empty/,
  );
  assertOnly(
    (c) => c.mounts = [{ ...proc, destination: "/pr\0c" }],
    "error",
    "/mounts/0/destination",
    /NUL/,
  );
});

Deno.test("the same destination twice hides the first mount", () => {
  assertOnly(
    (c) => c.mounts = [proc, { ...proc, destination: "/proc/" }],
    "warning",
    "/mounts/1/destination",
    /also mounted by \/mounts\/0/,
  );
});

Deno.test("type: required unless bind; type bind without the option binds, as runc", () => {
  assertOnly(
    (c) => c.mounts = [{ destination: "/proc", source: "proc" }],
    "error",
    "/mounts/0/type",
    /required unless the options include bind/,
  );
  assertOnly(
    (c) => c.mounts = [{ destination: "/x", type: "bind", source: "/tmp" }],
    "warning",
    "/mounts/0/type",
    /without "bind" or "rbind" in the options: a bind mount/,
  );
});

Deno.test("bind mounts: an existing source, relative to the bundle; fs data options ignored", () => {
  const bind = { destination: "/x", source: "rootfs", options: ["rbind", "ro"] };
  assertClean((c) => c.mounts = [bind]);
  assertOnly(
    (c) => c.mounts = [{ ...bind, source: undefined }],
    "error",
    "/mounts/0/source",
    /needs a source/,
  );
  assertOnly(
    (c) => c.mounts = [{ ...bind, source: "missing" }],
    "error",
    "/mounts/0/source",
    new RegExp(`${BUNDLE}/missing does not exist`),
  );
  assertOnly(
    (c) => c.mounts = [{ ...bind, options: ["bind", "mode=755", "size=1k"] }],
    "warning",
    "/mounts/0/options",
    /ignored on a bind mount: mode=755, size=1k/,
  );
});

Deno.test("conflicting propagation options", () => {
  assertOnly(
    (c) =>
      c.mounts = [{ destination: "/x", source: "/tmp", options: ["rbind", "rshared", "rprivate"] }],
    "warning",
    "/mounts/0/options",
    /conflicting propagation options: rshared, rprivate/,
  );
});

// While ID-mapped mounts are not implemented, each such mount also carries that error.
const idmapPending = unlessImplemented(IMPLEMENTED.idmapMounts, [
  "error",
  "/mounts/0",
  /not implemented/,
]);
const maps = [{ containerID: 0, hostID: 1000, size: 1 }];
const bind = { destination: "/x", source: "/tmp", options: ["rbind", "idmap"] };

Deno.test("ID-mapped mounts: both mappings, bind only, idmap option", () => {
  assertProblems(
    problemsAfter((c) => c.mounts = [{ ...bind, uidMappings: maps, gidMappings: maps }]),
    idmapPending,
  );
  assertProblems(problemsAfter((c) => c.mounts = [{ ...bind, uidMappings: maps }]), [
    ["error", "/mounts/0/gidMappings", /must be given together/],
    ...idmapPending,
  ]);
  assertProblems(
    problemsAfter((c) =>
      c.mounts = [{ ...bind, options: ["rbind"], uidMappings: maps, gidMappings: maps }]
    ),
    [["warning", "/mounts/0/options", /no idmap or ridmap option/], ...idmapPending],
  );
  assertProblems(
    problemsAfter((c) =>
      c.mounts = [{
        destination: "/x",
        type: "tmpfs",
        options: ["idmap"],
        uidMappings: maps,
        gidMappings: maps,
      }]
    ),
    [["error", "/mounts/0/options", /must be bind mounts/], ...idmapPending],
  );
  assertProblems(problemsAfter((c) => c.mounts = [bind]), [
    ["error", "/mounts/0/options", /idmap needs uidMappings\/gidMappings or a user namespace/],
    ...idmapPending,
  ]);
  assertProblems(
    problemsAfter((c) =>
      c.mounts = [{
        ...bind,
        uidMappings: [{ containerID: 0, hostID: 0, size: 0 }],
        gidMappings: maps,
      }]
    ),
    [["error", "/mounts/0/uidMappings/0/size", /at least 1/], ...idmapPending],
  );
  assertProblems(
    problemsAfter((c) => {
      c.linux.namespaces.push({ type: "user" });
      c.linux.uidMappings = c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 10 }];
      c.mounts = [{ ...bind, uidMappings: maps, gidMappings: maps }];
    }),
    IMPLEMENTED.idmapMounts
      ? [["error", "/mounts/0", /ID-mapped mounts in a user namespace is not implemented/]]
      : idmapPending,
  );
});

Deno.test("mounts without a mount namespace would change the host", () => {
  assertOnly(
    (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== "mount");
      c.mounts = [proc];
    },
    "warning",
    "/mounts",
    /without a mount namespace/,
  );
});
