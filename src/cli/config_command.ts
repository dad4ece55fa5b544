/**
 * `codex config`: look at, change and check the layered configuration from a terminal.
 * Reading commands (`show`, `get`, `path`, `validate`) see exactly what the app-server would
 * for the same `-c`/`--enable`/`--disable` flags and working directory; writing commands
 * (`set`, `unset`) edit only the user's config.toml, keeping its comments.
 *
 * @module
 */

import { resolve } from "node:path";
import { resolveCodexHome } from "../core/codex_home.ts";
import { formatProblem } from "../config/diagnostics.ts";
import { ConfigOverrideError } from "../config/overrides.ts";
import { getPath } from "../config/merge.ts";
import { toJsonValue } from "../config/version.ts";
import type { ConfigLayer, TomlTable } from "../config/types.ts";
import { parseStrict } from "./args.ts";
import { CommandError, printOut, reportError, UsageError } from "./output.ts";
import {
  type Context,
  keyArgument,
  layerLabel,
  loadSnapshot,
  originOf,
  type SessionInputs,
} from "./config_check.ts";
import { formatKeyPath, isTable, tomlDocument, tomlInline } from "./config_format.ts";
import { runPath, runValidate } from "./config_report.ts";
import { runSet, runUnset } from "./config_write.ts";

const USAGE = "codex config [OPTIONS] <COMMAND> [ARGS]";

const GLOBAL_HELP = `Options (every command):
  -c, --config <key=value>  Override a setting for this command, as for app-server (dotted
                            key; value parsed as TOML, else a string). Repeatable
      --enable <FEATURE>    Same as -c features.<FEATURE>=true. Repeatable
      --disable <FEATURE>   Same as -c features.<FEATURE>=false. Repeatable
      --cwd <DIR>           Find project layers (.codex/config.toml) from DIR instead of the
                            current directory
  -h, --help                Print help`;

const HELP = `Show, change and check Codex configuration

Usage: ${USAGE}

Commands:
  show      Print the effective configuration (--json, --origins, --layers)
  get       Print the effective value of one key
  set       Write a key to your user config.toml, keeping its comments
  unset     Remove a key from your user config.toml
  validate  Check every config file and list each problem with its line (--strict)
  path      List where each configuration layer lives and whether it is used
  help      Print this help, or the help of a command

Keys are dotted paths; quote a part that is not a plain word:
  codex config get 'projects."/srv/app".trust_level'

${GLOBAL_HELP}

Configuration is merged from, lowest precedence first: system (${"$"}CODEX_SYSTEM_CONFIG_DIR or
/etc/codex), user (${"$"}CODEX_HOME/config.toml), trusted project .codex/config.toml files from the
project root down to the cwd, -c/--enable/--disable, and managed_config.toml.`;

/** One `codex config` command: its usage, help and extra options. */
interface CommandSpec {
  usage: string;
  summary: string;
  details: string;
  options: Record<string, { type: "boolean" | "string"; short?: string }>;
  /** How many positional arguments it takes. */
  args: string[];
  run(ctx: Context): Promise<number>;
}

const COMMANDS: Record<string, CommandSpec> = {
  show: {
    usage: "codex config show [--json] [--origins] [--layers] [OPTIONS]",
    summary: "Print the effective configuration: the merge of every layer's valid settings",
    details: `      --json      Print JSON instead of TOML
      --origins   Say which layer set each value
      --layers    Print every layer, highest precedence first, with its file, version and,
                  for an ignored project layer, why it is ignored`,
    options: {
      json: { type: "boolean" },
      origins: { type: "boolean" },
      layers: { type: "boolean" },
    },
    args: [],
    run: runShow,
  },
  get: {
    usage: "codex config get <KEY> [--json] [OPTIONS]",
    summary:
      "Print the effective value of KEY (TOML; a table prints as a section). Exits 1 when no layer sets it",
    details: `      --json      Print the value as JSON`,
    options: { json: { type: "boolean" } },
    args: ["KEY"],
    run: runGet,
  },
  set: {
    usage: "codex config set <KEY> <VALUE> [OPTIONS]",
    summary:
      "Write KEY = VALUE to your user config.toml. VALUE is read as TOML (42, true, [1, 2],\n" +
      '{ a = 1 }, "text"), else taken as a plain string. Comments and layout are kept, the\n' +
      "file is replaced atomically, and an invalid value is refused with exit code 1",
    details: "",
    options: {},
    args: ["KEY", "VALUE"],
    run: runSet,
  },
  unset: {
    usage: "codex config unset <KEY> [OPTIONS]",
    summary: "Remove KEY from your user config.toml (other layers are not touched)",
    details: "",
    options: {},
    args: ["KEY"],
    run: runUnset,
  },
  validate: {
    usage: "codex config validate [--strict] [--json] [OPTIONS]",
    summary:
      "Load every layer and requirements.toml and print each problem with its file, line and\n" +
      "column and the offending text underlined. Exits 1 when any error is found",
    details: `      --strict    Count unknown keys (usually typos) as errors, not warnings
      --json      Print the problems as JSON`,
    options: { strict: { type: "boolean" }, json: { type: "boolean" } },
    args: [],
    run: runValidate,
  },
  path: {
    usage: "codex config path [--json] [OPTIONS]",
    summary:
      "List every configuration file, lowest precedence first, whether it exists and, for a\n" +
      "project layer that is ignored, why",
    details: `      --json      Print JSON`,
    options: { json: { type: "boolean" } },
    args: [],
    run: runPath,
  },
};

const GLOBAL_OPTIONS = {
  config: { type: "string", short: "c", multiple: true },
  enable: { type: "string", multiple: true },
  disable: { type: "string", multiple: true },
  cwd: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Flags that take a value, so the scan for the command name can skip their values. */
const VALUE_FLAGS = new Set(["-c", "--config", "--enable", "--disable", "--cwd"]);

/** Runs `codex config ARGS`; resolves with the process exit code. */
export async function runConfigCommand(argv: string[]): Promise<number> {
  let helpHint = "codex config --help";
  try {
    const at = commandIndex(argv);
    const name = at === -1 ? undefined : argv[at]!;
    const rest = at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];
    if (name === undefined || name === "help") {
      const topic = name === "help" ? parseStrict(rest, GLOBAL_OPTIONS, USAGE).positionals[0] : "";
      if (topic && COMMANDS[topic]) {
        printOut(commandHelp(COMMANDS[topic]));
        return 0;
      }
      if (topic) throw new UsageError(`unrecognized subcommand '${topic}'`, USAGE);
      printOut(HELP);
      return name === undefined && !rest.some((a) => a === "-h" || a === "--help") ? 2 : 0;
    }
    const spec = COMMANDS[name];
    if (!spec) throw new UsageError(`unrecognized subcommand '${name}'`, USAGE);
    helpHint = `codex config ${name} --help`;
    const { values, positionals } = parseStrict(
      rest,
      { ...GLOBAL_OPTIONS, ...spec.options },
      spec.usage,
    );
    if (values.help) {
      printOut(commandHelp(spec));
      return 0;
    }
    if (positionals.length < spec.args.length) {
      const missing = spec.args.slice(positionals.length).map((a) => `<${a}>`).join(" ");
      throw new UsageError(
        `the following required arguments were not provided: ${missing}`,
        spec.usage,
      );
    }
    if (positionals.length > spec.args.length) {
      throw new UsageError(
        `unexpected argument '${positionals[spec.args.length]}' found`,
        spec.usage,
      );
    }
    const inputs: SessionInputs = {
      codexHome: resolveCodexHome(),
      cwd: await checkCwd(values.cwd, spec.usage),
      overrides: (values.config ?? []).map((o) => checkOverride(o, spec.usage)),
      featureToggles: featureToggles(rest),
    };
    return await spec.run({ values, args: positionals, inputs, usage: spec.usage });
  } catch (err) {
    // The loader's own -c checks: a command-line mistake, so exit 2 like any bad argument.
    if (err instanceof ConfigOverrideError) {
      return reportError(new UsageError(err.message), helpHint);
    }
    return reportError(err, helpHint);
  }
}

/** Index of the command name: the first argument that is neither a flag nor a flag's value. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return i + 1 < argv.length ? i + 1 : -1;
    if (VALUE_FLAGS.has(arg)) i++;
    else if (!arg.startsWith("-")) return i;
  }
  return -1;
}

function commandHelp(spec: CommandSpec): string {
  const own = spec.details ? `Options:\n${spec.details}\n\n` : "";
  return `${spec.summary}\n\nUsage: ${spec.usage}\n\n${own}${GLOBAL_HELP}`;
}

/** `--enable`/`--disable` in the order given, so the last one for a feature wins. */
function featureToggles(argv: string[]): Array<{ feature: string; enabled: boolean }> {
  const out: Array<{ feature: string; enabled: boolean }> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    const m = /^--(enable|disable)(?:=(.*))?$/.exec(arg);
    if (m) {
      const feature = m[2] ?? argv[++i];
      if (feature !== undefined) out.push({ feature, enabled: m[1] === "enable" });
    } else if (VALUE_FLAGS.has(arg)) i++;
  }
  return out;
}

/** A `-c` without `=` or with an empty key is a typo: say so before loading anything. */
function checkOverride(raw: string, usage: string): string {
  const eq = raw.indexOf("=");
  if (eq === -1) throw new UsageError(`invalid -c override '${raw}': missing '='`, usage);
  if (raw.slice(0, eq).trim() === "") {
    throw new UsageError(`invalid -c override '${raw}': empty key`, usage);
  }
  return raw;
}

async function checkCwd(value: unknown, usage: string): Promise<string> {
  if (typeof value !== "string") return Deno.cwd();
  const dir = resolve(value);
  let info: Deno.FileInfo | null = null;
  try {
    info = await Deno.stat(dir);
  } catch {
    // reported below
  }
  if (!info?.isDirectory) {
    throw new UsageError(`invalid value '${value}' for '--cwd <DIR>': not a directory`, usage);
  }
  return dir;
}

function layerJson(layer: ConfigLayer): Record<string, unknown> {
  return {
    name: layer.source,
    file: layer.file,
    version: layer.version,
    disabledReason: layer.disabledReason,
    config: toJsonValue(layer.raw),
  };
}

async function runShow(ctx: Context): Promise<number> {
  const { loaded } = await loadSnapshot(ctx.inputs);
  const { json, origins, layers } = ctx.values;
  const highestFirst = [...loaded.layers].reverse();
  if (json) {
    const out: Record<string, unknown> = { config: toJsonValue(loaded.merged) };
    if (origins) {
      out.origins = Object.fromEntries(
        [...loaded.origins].map(([path, l]) => [path, { name: l.source, version: l.version }]),
      );
    }
    if (layers) out.layers = highestFirst.map(layerJson);
    printOut(JSON.stringify(layers || origins ? out : out.config, null, 2));
    return 0;
  }
  const sections: string[] = [];
  if (layers) {
    highestFirst.forEach((layer, i) => {
      // A file names a project layer well enough; other layers keep their label.
      const name = layer.source.type === "project" ? "project" : layerLabel(layer);
      const where = layer.file ? `  ${layer.file}` : "";
      const head = [`# ${i + 1}. ${name}${where}`, `#    version ${layer.version}`];
      if (layer.disabledReason) head.push(`#    IGNORED: ${layer.disabledReason}`);
      const unreadable = layer.problems.find((p) => p.kind === "syntax");
      if (unreadable) head.push(`#    NOT READ: ${formatProblem(unreadable)}`);
      const body = tomlDocument(layer.raw);
      sections.push([...head, body || "# (empty)"].join("\n"));
    });
  }
  if (origins || !layers) {
    const note = origins ? (path: readonly string[]) => originNote(loaded.origins, path) : null;
    const body = tomlDocument(loaded.merged, note);
    const head = layers ? "# effective configuration\n" : "";
    sections.push(head + (body || "# nothing is set: built-in defaults apply"));
  }
  printOut(sections.join("\n\n"));
  return 0;
}

function originNote(origins: Map<string, ConfigLayer>, path: readonly string[]): string | null {
  const layer = originOf(origins, path);
  if (!layer) return null;
  return layer.file && layer.source.type !== "project"
    ? `${layerLabel(layer)} (${layer.file})`
    : layerLabel(layer);
}

async function runGet(ctx: Context): Promise<number> {
  const keys = keyArgument(ctx.args[0]!, ctx.usage);
  const { loaded } = await loadSnapshot(ctx.inputs);
  const value = getPath(loaded.merged, keys);
  if (value === undefined) {
    const ignored = loaded.layers.filter((l) =>
      l.disabledReason !== null && getPath(l.raw, keys) !== undefined
    );
    const invalid = loaded.layers.filter((l) =>
      l.disabledReason === null && getPath(l.raw, keys) !== undefined
    );
    const notes = [
      ...ignored.map((l) =>
        `\nnote: ${l.file ?? layerLabel(l)} sets it, but that file is ignored: ${l.disabledReason}`
      ),
      ...invalid.map((l) =>
        `\nnote: ${l.file ?? layerLabel(l)} sets it to an invalid value, which is ignored ` +
        "(see 'codex config validate')"
      ),
    ];
    throw new CommandError(`${formatKeyPath(keys)} is not set${notes.join("")}`);
  }
  if (ctx.values.json) printOut(JSON.stringify(toJsonValue(value), null, 2));
  else if (isTable(value)) printOut(tomlDocument(value as TomlTable, null, keys) || "{}");
  else printOut(tomlInline(value));
  return 0;
}
