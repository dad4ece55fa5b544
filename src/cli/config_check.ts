/**
 * Loading every configuration source the way a command line sees it, and turning the
 * problems found into text for people. Shared by `codex config` and
 * `codex app-server --strict-config`, so both judge a config the same way.
 *
 * @module
 */

import { join } from "node:path";
import { defaultSystemDir } from "../config/config_service.ts";
import { resolveEffective } from "../config/effective.ts";
import { loadConfig } from "../config/load.ts";
import { loadRequirements } from "../config/requirements.ts";
import { formatProblem, renderProblem } from "../config/diagnostics.ts";
import type { ConfigLayer, ConfigProblem, LoadedConfig } from "../config/types.ts";
import { printErr, UsageError } from "./output.ts";
import { KeyPathError, parseKeyPath } from "./config_format.ts";

/** Session-level inputs taken from the command line. */
export interface SessionInputs {
  codexHome: string;
  /** Project layers are looked up from here; null for none. */
  cwd: string | null;
  overrides: readonly string[];
  featureToggles: ReadonlyArray<{ feature: string; enabled: boolean }>;
  analyticsDefaultEnabled?: boolean;
}

/** Everything known about the configuration, with every problem from every stage. */
export interface ConfigSnapshot {
  loaded: LoadedConfig;
  systemDir: string;
  /** Loader, requirements and effective-config problems, without duplicates. */
  problems: ConfigProblem[];
  /** Whether requirements.toml exists (for counting what was checked). */
  requirementsFile: string;
}

/** Loads layers, requirements and the effective config; never throws for a bad file. */
export async function loadSnapshot(inputs: SessionInputs): Promise<ConfigSnapshot> {
  const systemDir = defaultSystemDir();
  const loaded = await loadConfig({
    codexHome: inputs.codexHome,
    cwd: inputs.cwd,
    overrides: inputs.overrides,
    featureToggles: inputs.featureToggles,
    systemDir,
    analyticsDefaultEnabled: inputs.analyticsDefaultEnabled,
  });
  const req = await loadRequirements(systemDir);
  const effective = resolveEffective(loaded, req.requirements, {
    requirementSources: req.sources,
    mcpAllowList: req.mcpAllowList,
    analyticsDefaultEnabled: inputs.analyticsDefaultEnabled,
  });
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const p of [...loaded.problems, ...req.problems, ...effective.problems]) {
    const key = `${p.kind}\0${formatProblem(p)}\0${p.keyPath ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return {
    loaded,
    systemDir,
    problems,
    requirementsFile: join(systemDir, "requirements.toml"),
  };
}

/**
 * Whether a problem makes the config invalid. Unknown keys and requirement fallbacks are
 * warnings (the reference runs fine with them) unless `strict` asks for unknown keys to count.
 */
export function isErrorProblem(p: ConfigProblem, strict: boolean): boolean {
  return p.kind === "syntax" || p.kind === "type" || p.kind === "reference" ||
    (strict && p.kind === "unknownKey");
}

/** Whether to colour text written to `stream`: a terminal, and NO_COLOR unset or empty. */
export function useColor(stream: { isTerminal(): boolean }): boolean {
  return stream.isTerminal() && !Deno.env.get("NO_COLOR");
}

/** Renders one problem with its severity, source line and caret underline. */
export function renderForHumans(
  p: ConfigProblem,
  snapshot: ConfigSnapshot,
  opts: { strict: boolean; color: boolean },
): string {
  const error = isErrorProblem(p, opts.strict);
  const word = error ? "error" : "warning";
  const label = opts.color ? `\x1b[1;${error ? 31 : 33}m${word}\x1b[0m` : word;
  const text = p.file === null ? null : sourceText(p.file, snapshot.loaded.layers);
  return `${label}: ${renderProblem(p, text, { color: opts.color })}`.trimEnd();
}

/** The text of a config file as the loader saw it, else as it is on disk now. */
function sourceText(file: string, layers: readonly ConfigLayer[]): string | null {
  const layer = layers.find((l) => l.file === file && l.text !== null);
  if (layer) return layer.text;
  try {
    return Deno.readTextFileSync(file);
  } catch {
    return null;
  }
}

/** A count with the right plural, e.g. `1 error`, `2 warnings`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * `codex app-server --strict-config`: returns 1 after printing every problem to stderr when
 * the config has errors or unknown keys (a typo would otherwise be silently ignored), or
 * null when the server may start.
 */
export async function strictConfigRefusal(inputs: SessionInputs): Promise<number | null> {
  const snapshot = await loadSnapshot(inputs);
  const fatal = snapshot.problems.filter((p) => isErrorProblem(p, true));
  if (fatal.length === 0) return null;
  const color = useColor(Deno.stderr);
  const blocks = fatal.map((p) => renderForHumans(p, snapshot, { strict: true, color }));
  printErr(
    `${blocks.join("\n\n")}\n\nerror: refusing to start with --strict-config: ` +
      `${
        plural(fatal.length, "config problem")
      } (run 'codex config validate --strict' for details)`,
  );
  return 1;
}

/** What every `codex config` command gets: parsed flags, positionals, and config inputs. */
export interface Context {
  values: Record<string, unknown>;
  args: string[];
  inputs: SessionInputs;
  usage: string;
}

/** Parses a KEY argument; a malformed one is a usage error. */
export function keyArgument(text: string, usage: string): string[] {
  try {
    return parseKeyPath(text);
  } catch (err) {
    if (err instanceof KeyPathError) throw new UsageError(err.message, usage);
    throw err;
  }
}

/** A short name for a layer, as shown next to values and in listings. */
export function layerLabel(layer: ConfigLayer): string {
  const s = layer.source;
  switch (s.type) {
    case "system":
      return "system";
    case "user":
      return "user";
    case "project":
      return `project ${s.dotCodexFolder}`;
    case "sessionFlags":
      return "session flags";
    case "legacyManagedConfigTomlFromFile":
      return "managed";
    case "legacyManagedConfigTomlFromMdm":
      return "managed (MDM)";
    case "mdm":
      return `MDM ${s.domain}:${s.key}`;
  }
}

/**
 * The layer that set a leaf. Origins name array elements (`roots.0`), because the reference
 * does; an array printed whole is credited to the layer of its first element.
 */
export function originOf(
  origins: Map<string, ConfigLayer>,
  path: readonly string[],
): ConfigLayer | undefined {
  const key = path.join(".");
  const exact = origins.get(key);
  if (exact) return exact;
  for (const [leaf, layer] of origins) if (leaf.startsWith(`${key}.`)) return layer;
  return undefined;
}
