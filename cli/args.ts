// A small runc-style argument parser: `--flag value`, `--flag=value`, `-f value`, single-dash long
// flags (urfave/cli accepts `-bundle`), boolean `--flag=true|false`, and `--` as terminator.
// Command definitions are plain data so help text and parsing come from one place (youki's
// liboci-cli idea).

export type FlagType = "string" | "boolean" | "number";

export interface FlagDef {
  name: string;
  short?: string;
  type: FlagType;
  multiple?: boolean;
  help: string;
  /** Placeholder shown in help, e.g. "DIR". */
  value?: string;
  default?: string | boolean | number;
}

export interface CommandDef {
  name: string;
  summary: string;
  /** Positional part of the usage line, e.g. "<container-id>". */
  usage: string;
  flags: FlagDef[];
  /** Minimum and maximum number of positionals (max undefined = unlimited). */
  minArgs: number;
  maxArgs?: number;
  /** After this many positionals, everything else is positional (exec ID CMD --flag...). */
  flagsEndAfter?: number;
  description?: string;
}

export type FlagValue = string | boolean | number | string[] | undefined;
export interface Parsed {
  flags: Record<string, FlagValue>;
  args: string[];
}

export class UsageError extends Error {
  override name = "UsageError";
}

function findFlag(defs: FlagDef[], token: string): FlagDef | undefined {
  return defs.find((d) => d.name === token || d.short === token);
}

function convert(def: FlagDef, raw: string): string | number | boolean {
  if (def.type === "number") {
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`invalid value "${raw}" for flag --${def.name}`);
    return Number(raw);
  }
  if (def.type === "boolean") {
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new UsageError(`invalid boolean value "${raw}" for flag --${def.name}`);
  }
  return raw;
}

/**
 * Parses flags and positionals. With `stopAtPositional`, parsing stops at the first positional
 * and the rest is returned untouched in `args` (used for global flags before the subcommand).
 */
export function parseArgs(
  defs: FlagDef[],
  argv: string[],
  opts: { stopAtPositional?: boolean; flagsEndAfter?: number } = {},
): Parsed {
  const flags: Record<string, FlagValue> = {};
  for (const d of defs) flags[d.name] = d.multiple ? [] : d.default;
  const args: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const tok = argv[i];
    if (tok === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    const endOfFlags = opts.flagsEndAfter !== undefined && args.length >= opts.flagsEndAfter;
    if (endOfFlags || !tok.startsWith("-") || tok === "-") {
      if (opts.stopAtPositional || endOfFlags) {
        args.push(...argv.slice(i));
        break;
      }
      args.push(tok);
      i++;
      continue;
    }
    const body = tok.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const def = findFlag(defs, name);
    if (!def) throw new UsageError(`flag provided but not defined: -${name}`);
    let value: string | number | boolean;
    if (eq >= 0) value = convert(def, body.slice(eq + 1));
    else if (def.type === "boolean") value = true;
    else {
      if (i + 1 >= argv.length) throw new UsageError(`flag needs an argument: --${def.name}`);
      value = convert(def, argv[++i]);
    }
    if (def.multiple) (flags[def.name] as string[]).push(String(value));
    else flags[def.name] = value;
    i++;
  }
  return { flags, args };
}

export function helpText(program: string, def: CommandDef): string {
  const lines = [`${program} ${def.name} - ${def.summary}`, "", "USAGE:"];
  lines.push(
    `   ${program} ${def.name}${def.flags.length ? " [command options]" : ""} ${def.usage}`,
  );
  if (def.description) lines.push("", def.description.trim());
  if (def.flags.length) {
    lines.push("", "OPTIONS:");
    for (const f of def.flags) {
      const names = [`--${f.name}`, f.short ? `-${f.short}` : ""].filter(Boolean).join(", ");
      const val = f.type === "boolean" ? "" : ` ${f.value ?? "value"}`;
      const dflt = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : "";
      lines.push(`   ${(names + val).padEnd(30)} ${f.help}${dflt}`);
    }
  }
  return lines.join("\n") + "\n";
}
