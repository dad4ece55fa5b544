/**
 * One full config load: every layer, their merge, where each setting came from, and every
 * problem. A broken file never makes this throw, so the server can always answer with what is
 * valid and explain the rest.
 *
 * @module
 */

import { discoverLayerStack } from "./layers.ts";
import { locateProblem } from "./diagnostics.ts";
import { formatKeyPath } from "./toml_spans.ts";
import { isTomlTable, leafSegments } from "./merge.ts";
import { canonicalJson } from "./version.ts";
import type {
  ConfigLayer,
  ConfigProblem,
  LoadedConfig,
  LoadOptions,
  TomlTable,
  TomlValue,
} from "./types.ts";

/** Provider ids that exist without a `[model_providers.<id>]` table. */
export const BUILTIN_MODEL_PROVIDERS: readonly string[] = ["openai", "ollama", "lmstudio"];

/**
 * Loads every layer and merges the valid settings of the enabled ones. Bad files and values
 * become problems; only a malformed `-c` override throws ({@linkcode ConfigOverrideError}),
 * because that is a command-line mistake the CLI must refuse.
 */
export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig> {
  const { layers, merged, dropped } = await discoverLayerStack(opts);
  const origins = computeOrigins(layers, merged, dropped);
  const problems = layers.flatMap((l) => l.problems);
  problems.push(...referenceProblems(merged, origins));
  return { layers, merged, origins, problems };
}

/**
 * For each leaf an enabled layer sets, the highest such layer. Like the reference, paths are
 * credited per layer, so a path a higher layer replaced wholesale (`a.b` under a later `a = 2`)
 * keeps its entry; values our validation dropped are not credited.
 */
function computeOrigins(
  layers: readonly ConfigLayer[],
  merged: TomlTable,
  dropped: ReadonlyMap<ConfigLayer, string[][]>,
): Map<string, ConfigLayer> {
  const origins = new Map<string, ConfigLayer>();
  for (const layer of layers) {
    if (layer.disabledReason !== null) continue;
    const gone = dropped.get(layer) ?? [];
    for (const { path, value } of leafSegments(layer.raw)) {
      if (gone.some((g) => isPrefix(g, path)) && !sameValue(leafAt(merged, path), value)) continue;
      origins.set(path.join("."), layer);
    }
  }
  return origins;
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

/** The value at a leaf path whose array steps are indexes. */
function leafAt(table: TomlTable, path: readonly string[]): TomlValue | undefined {
  let cur: TomlValue | undefined = table;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = /^\d+$/.test(seg) ? cur[Number(seg)] : undefined;
    else if (isTomlTable(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function sameValue(a: TomlValue | undefined, b: TomlValue): boolean {
  return a !== undefined && canonicalJson(a) === canonicalJson(b);
}

/** The selected profile's table, when `profile` names one that exists. */
export function selectedProfile(merged: TomlTable): { name: string; table: TomlTable } | null {
  const name = merged["profile"];
  if (typeof name !== "string") return null;
  const profiles = merged["profiles"];
  const table = isTomlTable(profiles) && Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  return isTomlTable(table) ? { name, table } : null;
}

/**
 * Checks between layers on the merged result: `profile` must name a profile and the active
 * `model_provider` (the profile's, else the top-level one) must exist. Each problem points at
 * the file and key that chose the missing name, when a file did.
 */
function referenceProblems(
  merged: TomlTable,
  origins: ReadonlyMap<string, ConfigLayer>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const profileName = merged["profile"];
  const profile = selectedProfile(merged);
  if (typeof profileName === "string" && profile === null) {
    problems.push(
      blame(["profile"], `config profile \`${profileName}\` not found`, origins),
    );
  }
  const fromProfile = profile?.table["model_provider"];
  const providerPath = typeof fromProfile === "string"
    ? ["profiles", profile!.name, "model_provider"]
    : ["model_provider"];
  const provider = typeof fromProfile === "string" ? fromProfile : merged["model_provider"];
  if (typeof provider === "string" && !providerExists(merged, provider)) {
    problems.push(blame(providerPath, `Model provider \`${provider}\` not found`, origins));
  }
  return problems;
}

/** True for a built-in provider id or one defined under `[model_providers]`. */
export function providerExists(merged: TomlTable, id: string): boolean {
  if (BUILTIN_MODEL_PROVIDERS.includes(id)) return true;
  const defined = merged["model_providers"];
  return isTomlTable(defined) && Object.hasOwn(defined, id) && isTomlTable(defined[id]);
}

function blame(
  path: readonly string[],
  message: string,
  origins: ReadonlyMap<string, ConfigLayer>,
): ConfigProblem {
  const keyPath = formatKeyPath(path);
  const problem: ConfigProblem = { kind: "reference", file: null, range: null, keyPath, message };
  const layer = origins.get(path.join("."));
  if (!layer?.file) return problem;
  return layer.text === null
    ? { ...problem, file: layer.file }
    : locateProblem(problem, layer.file, layer.text);
}
