// Spawn cost of /bin/true: fork vs vfork mode (and Deno.Command for scale), so callers can
// choose. Run: scripts/deno bench -A syscalls/spawn/bench.ts
import { spawn, SpawnPlan } from "./mod.ts";

const plan = new SpawnPlan();
plan.execve("/bin/true", ["true"], []);

for (const vfork of [false, true]) {
  Deno.bench(`spawn /bin/true, ${vfork ? "vfork" : "fork"} mode`, { group: "spawn" }, () => {
    const child = spawn(plan, { vfork });
    child.resultSync();
    child.waitSync();
  });
}

Deno.bench("Deno.Command /bin/true", { group: "spawn" }, () => {
  new Deno.Command("/bin/true").outputSync();
});
