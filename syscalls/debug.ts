// --debug lines from the layers under the CLI, which has no logger to hand them: cli/main.ts
// sets the sink when --debug is given; otherwise a debug line costs one undefined check.
let sink: ((msg: string) => void) | undefined;

export function setDebugSink(s: (msg: string) => void): void {
  sink = s;
}

export function debug(msg: string): void {
  sink?.(msg);
}
