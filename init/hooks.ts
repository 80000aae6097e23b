// Runs OCI hooks: the state JSON on stdin, the hook's own args and env, an optional timeout.
// Used by the parent (runtime namespace hooks) and by init (container namespace hooks).
import type { Hook } from "../specs/schema/hooks.ts";

export async function runHook(hook: Hook, state: unknown, phase: string): Promise<void> {
  const [arg0, ...args] = hook.args?.length ? hook.args : [hook.path];
  const child = new Deno.Command(hook.path, {
    args,
    env: Object.fromEntries((hook.env ?? []).map((e) => {
      const i = e.indexOf("=");
      return [e.slice(0, i), e.slice(i + 1)];
    })),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  void arg0; // argv[0] cannot be set through Deno.Command; the path stands in for it.
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(state))).catch(() => {});
  await writer.close().catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = hook.timeout
    ? new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), hook.timeout! * 1000);
    })
    : undefined;
  const result = await Promise.race([child.output(), ...(timeout ? [timeout] : [])]);
  clearTimeout(timer);
  if (result === "timeout") {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    throw new Error(`${phase} hook ${hook.path} timed out after ${hook.timeout}s`);
  }
  if (!result.success) {
    const stderr = new TextDecoder().decode(result.stderr).trim();
    throw new Error(
      `${phase} hook ${hook.path} failed: exit status ${result.code}${stderr ? `: ${stderr}` : ""}`,
    );
  }
}

export async function runHooks(
  hooks: readonly Hook[] | undefined,
  state: unknown,
  phase: string,
): Promise<void> {
  for (const h of hooks ?? []) await runHook(h, state, phase);
}

/** For poststart and poststop: a failing hook is a warning and the others still run. */
export async function runHooksWarn(
  hooks: readonly Hook[] | undefined,
  state: unknown,
  phase: string,
  warn: (msg: string) => void,
): Promise<void> {
  for (const h of hooks ?? []) {
    try {
      await runHook(h, state, phase);
    } catch (e) {
      warn((e as Error).message);
    }
  }
}
