// Log output for --log/--log-format, in the shape engines parse: one object per line,
// {"level","msg","time"} with an RFC3339 time (see engine-contract §2.3). Written directly, in
// one append: an engine reads this file for the error to report, so writing it must not depend
// on anything that could fail to load.
import type { GlobalOptions } from "./command.ts";

export function writeLog(
  global: GlobalOptions,
  level: "debug" | "info" | "warning" | "error",
  msg: string,
): void {
  if (!global.log) return;
  const time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const line = global.logFormat === "json"
    ? JSON.stringify({ level, msg, time })
    : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
  Deno.writeTextFileSync(global.log, line + "\n", { append: true, mode: 0o644 });
}
