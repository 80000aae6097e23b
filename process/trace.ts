// Phase marks for --debug: where the milliseconds of a container start go, in the parent and in
// the init (which sends its marks with "ready"); `deno task bench` prints them for `run`. Off
// unless --debug, and then a mark is one Date.now(): clocks agree across both processes.
export type Marks = [label: string, epochMs: number][];

const marks: Marks = [];
let enabled = false;

export function enableTrace(): void {
  enabled = true;
}

export function tracing(): boolean {
  return enabled;
}

export function mark(label: string, at = Date.now()): void {
  if (enabled) marks.push([label, at]);
}

export function addMarks(more: Marks | undefined): void {
  if (enabled && more) marks.push(...more);
}

export function allMarks(): Marks {
  return [...marks].sort((a, b) => a[1] - b[1]);
}
