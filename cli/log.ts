// Log output for --log/--log-format, in the shape engines parse: one object per line,
// {"level","msg","time"} with an RFC3339 time (see engine-contract §2.3). Loaded only when a
// line is actually written, so the quiet success path pays nothing for it.
import type { GlobalOptions } from "./command.ts";

export async function writeLog(
  global: GlobalOptions,
  level: "debug" | "info" | "warning" | "error",
  msg: string,
): Promise<void> {
  if (!global.log) return;
  // A computed specifier keeps logtape out of the module graph Deno prefetches at start.
  const logtape = "@logtape/logtape";
  const { configure, getLogger, reset } = await import(
    logtape
  ) as typeof import("@logtape/logtape");
  const file = await Deno.open(global.log, { append: true, create: true, mode: 0o644 });
  const enc = new TextEncoder();
  const time = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await configure({
    reset: true,
    sinks: {
      file(record) {
        const text = record.message.map(String).join("");
        const lvl = record.level === "warning" ? "warning" : record.level;
        const line = global.logFormat === "json"
          ? JSON.stringify({ level: lvl, msg: text, time })
          : `time="${time}" level=${lvl} msg=${JSON.stringify(text)}`;
        file.writeSync(enc.encode(line + "\n"));
      },
    },
    loggers: [
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: [] },
      { category: ["tsrun"], lowestLevel: "debug", sinks: ["file"] },
    ],
  });
  getLogger(["tsrun"])[level === "warning" ? "warn" : level]("{msg}", { msg });
  await reset();
  file.close();
}
