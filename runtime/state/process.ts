// Facts about a host process read from /proc: is it alive, and is it the one we started.

/** Start time in clock ticks (field 22 of /proc/PID/stat), or undefined if gone or a zombie. */
export function processStart(pid: number): number | undefined {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  return Number(fields[19]);
}

export function isOurProcess(pid: number, start: number): boolean {
  return pid > 0 && processStart(pid) === start;
}
