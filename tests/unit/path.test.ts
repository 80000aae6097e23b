import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { posix } from "node:path";
import { dirname, join, normalize } from "../../runtime/path.ts";

const cases = ["/", "/a/b", "a//b/./c/", "/../a", "a/../../b", "/a/b/..", ".", "", "/x/./y/../z"];

Deno.test("normalize, join and dirname agree with node:path (without trailing slashes)", () => {
  const strip = (p: string) => (p.length > 1 ? p.replace(/\/$/, "") : p);
  for (const c of cases) {
    assertEquals(normalize(c), strip(posix.normalize(c)), `normalize ${c}`);
    assertEquals(dirname(c), posix.dirname(strip(posix.normalize(c))), `dirname ${c}`);
    assertEquals(join("/sys/fs/cgroup", c), strip(posix.join("/sys/fs/cgroup", c)), `join ${c}`);
  }
});
