// Spawning children whose pre-exec work is a table of raw syscalls run by a tiny native
// routine (see x86_64.S): Deno's V8 heap is MADV_DONTFORK, so a fork child must never run JS.
export { spawn, type SpawnOptions } from "./spawn.ts";
export { Child, type ExitStatus, SpawnError } from "./child.ts";
export { type PlanOptions, SpawnPlan, type StepInfo, type StepOptions } from "./plan.ts";
export { type SyscallName, syscallNr } from "../nr.ts";
export * from "./flags.ts";
