/**
 * Finding and reading every configuration layer, lowest precedence first: system, user,
 * project `.codex/` folders (root → cwd), session flags, legacy managed config. Also the
 * project-trust rules that decide which project layers take part, and the per-layer
 * validation that keeps every valid setting of a partly broken file.
 *
 * @module
 */

import { dirname, isAbsolute, join, resolve } from "node:path";
import { readTomlFile } from "./toml_read.ts";
import { validateConfig } from "./schema.ts";
import { locateProblem } from "./diagnostics.ts";
import { parseKeyPath } from "./toml_spans.ts";
import { cloneValue, getPath, isTomlTable, mergeTables, setOwn, setPath } from "./merge.ts";
import { sessionFlagsTable } from "./overrides.ts";
import { layerVersion } from "./version.ts";
import type { ConfigLayer, ConfigProblem, LoadOptions, TomlTable, TomlValue } from "./types.ts";
import type { ConfigLayerSource } from "../protocol/schema/config.ts";

/** Where system config lives when {@linkcode LoadOptions.systemDir} is not given. */
export const DEFAULT_SYSTEM_DIR = "/etc/codex";
/** `project_root_markers` when no layer sets it. */
export const DEFAULT_PROJECT_ROOT_MARKERS: readonly string[] = [".git"];

/** How a project folder is trusted, and the `[projects."<key>"]` entry that decided it. */
export interface ProjectTrust {
  trustLevel: "trusted" | "untrusted" | null;
  /** The entry that decided, or the one to add (repo root if in a git repo, else project root). */
  key: string;
  projectRoot: string;
}

/** Reads every layer and validates the enabled ones; see {@linkcode discoverLayerStack}. */
export async function discoverLayers(opts: LoadOptions): Promise<ConfigLayer[]> {
  return (await discoverLayerStack(opts)).layers;
}

/**
 * Reads every layer (lowest first) and validates the enabled ones in merge order. `merged` is
 * the merge of their valid settings; `dropped` lists, per layer, the key paths whose values
 * were left out as invalid (so `origins` does not credit them). Throws only for a malformed
 * `-c` override.
 */
export async function discoverLayerStack(opts: LoadOptions): Promise<{
  layers: ConfigLayer[];
  merged: TomlTable;
  dropped: Map<ConfigLayer, string[][]>;
}> {
  const systemDir = opts.systemDir ?? DEFAULT_SYSTEM_DIR;
  const sessionTable = sessionFlagsTable(opts.overrides, opts.featureToggles, opts.threadConfig);
  const systemFile = join(systemDir, "config.toml");
  const userFile = join(opts.codexHome, "config.toml");
  const managedFile = join(systemDir, "managed_config.toml");
  const [system, user, managed] = await Promise.all([
    readFileLayer({ type: "system", file: systemFile }, systemFile),
    readFileLayer({ type: "user", file: userFile }, userFile),
    readFileLayer({ type: "legacyManagedConfigTomlFromFile", file: managedFile }, managedFile),
  ]);
  const session = Object.keys(sessionTable).length > 0 ? flagLayer(sessionTable) : null;
  const projects = opts.cwd === null
    ? []
    : await readProjectLayers(resolve(opts.cwd), opts.codexHome, user, [system, user, session]);
  const layers = [system, user, ...projects];
  if (session) layers.push(session);
  if (managed.text !== null || managed.problems.length > 0) layers.push(managed);
  return { layers, ...validateLayerStack(layers) };
}

/**
 * The version of a file layer as clients see it: path fields resolved against the file's
 * folder first, as the reference does, so `expectedVersion` checks agree with `config/read`.
 */
export function fileLayerVersion(table: TomlTable, file: string): string {
  return layerVersion(resolveLayerPaths(table, dirname(file)));
}

async function readFileLayer(source: ConfigLayerSource, file: string): Promise<ConfigLayer> {
  const read = await readTomlFile(file);
  const raw = resolveLayerPaths(read.table, dirname(file));
  return {
    source,
    file,
    text: read.text,
    raw,
    version: layerVersion(raw),
    disabledReason: null,
    problems: read.problems,
  };
}

function flagLayer(table: TomlTable): ConfigLayer {
  return {
    source: { type: "sessionFlags" },
    file: null,
    text: null,
    raw: table,
    version: layerVersion(table),
    disabledReason: null,
    problems: [],
  };
}

/** The `.codex/config.toml` layers from the project root down to `cwd`. */
async function readProjectLayers(
  cwd: string,
  codexHome: string,
  user: ConfigLayer,
  base: ReadonlyArray<ConfigLayer | null>,
): Promise<ConfigLayer[]> {
  const markers = rootMarkers(base);
  const trust = await projectTrustContext(cwd, markers, user.raw);
  const homes = new Set([resolve(codexHome), await realPath(codexHome)]);
  const layers: ConfigLayer[] = [];
  for (const dir of ancestorsFromRoot(cwd, trust.projectRoot)) {
    const dotCodex = join(dir, ".codex");
    if (!(await isDirectory(dotCodex))) continue;
    if (homes.has(dotCodex) || homes.has(await realPath(dotCodex))) continue;
    const decision = trust.decide(dir);
    const file = join(dotCodex, "config.toml");
    const read = await readTomlFile(file);
    const trusted = decision.trustLevel === "trusted";
    // The reference ignores an untrusted file's parse errors; its layer is then just `{}`.
    const problems = trusted ? read.problems : [];
    const raw = read.problems.length > 0 ? {} : resolveLayerPaths(read.table, dotCodex);
    layers.push({
      source: { type: "project", dotCodexFolder: dotCodex },
      file,
      text: read.text,
      raw,
      version: layerVersion(raw),
      // A folder without config.toml has nothing to disable, so the reference gives no reason.
      disabledReason: read.text === null && read.problems.length === 0
        ? null
        : disabledReason(decision, user.file!),
      problems,
    });
  }
  return layers;
}

function disabledReason(decision: ProjectTrust, userFile: string): string | null {
  if (decision.trustLevel === "trusted") return null;
  if (decision.trustLevel === "untrusted") {
    return `${decision.key} is marked as untrusted in ${userFile}. To load config.toml, mark it trusted.`;
  }
  return `To load config.toml, add ${decision.key} as a trusted project in ${userFile}.`;
}

/** `project_root_markers` from system, user and session flags (later wins); default `.git`. */
function rootMarkers(layers: ReadonlyArray<ConfigLayer | null>): readonly string[] {
  let markers: readonly string[] = DEFAULT_PROJECT_ROOT_MARKERS;
  for (const layer of layers) {
    const v = layer?.raw["project_root_markers"];
    if (Array.isArray(v) && v.every((m) => typeof m === "string")) markers = v as string[];
  }
  return markers;
}

/**
 * Trust for folders under `cwd`: a folder's own `[projects."<dir>"]` entry, else the project
 * root's, else the git repository root's (the main repository for a worktree).
 */
async function projectTrustContext(
  cwd: string,
  markers: readonly string[],
  userTable: TomlTable,
): Promise<{ projectRoot: string; decide: (dir: string) => ProjectTrust }> {
  const projectRoot = await findProjectRoot(cwd, markers);
  const repoRoot = await gitRepoRoot(projectRoot);
  const levels = trustLevels(userTable);
  const decide = (dir: string): ProjectTrust => {
    for (const key of [dir, projectRoot, repoRoot]) {
      if (key !== null && levels.has(key)) {
        return { trustLevel: levels.get(key)!, key, projectRoot };
      }
    }
    return { trustLevel: null, key: repoRoot ?? projectRoot, projectRoot };
  };
  return { projectRoot, decide };
}

/**
 * How the project that contains `cwd` is trusted, for callers that need it outside a load
 * (the default sandbox is workspace-write only for a trusted project).
 */
export async function resolveProjectTrust(
  cwd: string,
  userTable: TomlTable,
  markers: readonly string[] = DEFAULT_PROJECT_ROOT_MARKERS,
): Promise<ProjectTrust> {
  const ctx = await projectTrustContext(resolve(cwd), markers, userTable);
  return ctx.decide(resolve(cwd));
}

function trustLevels(userTable: TomlTable): Map<string, "trusted" | "untrusted"> {
  const out = new Map<string, "trusted" | "untrusted">();
  const projects = userTable["projects"];
  if (!isTomlTable(projects)) return out;
  for (const [dir, entry] of Object.entries(projects)) {
    const level = isTomlTable(entry) ? entry["trust_level"] : undefined;
    if (level === "trusted" || level === "untrusted") out.set(dir, level);
  }
  return out;
}

/** Nearest ancestor of `cwd` (itself included) holding a marker; `cwd` when none does. */
export async function findProjectRoot(cwd: string, markers: readonly string[]): Promise<string> {
  if (markers.length === 0) return cwd;
  for (let dir = cwd;; dir = dirname(dir)) {
    for (const marker of markers) if (await exists(join(dir, marker))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}

/**
 * The working tree root of the git repository containing `dir`, found the way git does (a
 * `.git` folder or a `gitdir:` file, valid only with a HEAD), without running git; for a
 * worktree it is the main repository's root, so one trust entry covers all worktrees.
 */
export async function gitRepoRoot(dir: string): Promise<string | null> {
  for (let cur = dir;; cur = dirname(cur)) {
    const dotGit = join(cur, ".git");
    let gitDir: string | null = null;
    try {
      const info = await Deno.stat(dotGit);
      if (info.isDirectory) gitDir = dotGit;
      else {
        const m = /^gitdir:\s*(.+?)\s*$/m.exec(await Deno.readTextFile(dotGit));
        if (m) gitDir = resolve(cur, m[1]!);
      }
    } catch { /* no .git here */ }
    if (gitDir !== null && await exists(join(gitDir, "HEAD"))) {
      let common = gitDir;
      try {
        const rel = (await Deno.readTextFile(join(gitDir, "commondir"))).trim();
        common = isAbsolute(rel) ? rel : resolve(gitDir, rel);
      } catch { /* not a worktree */ }
      return dirname(await realPath(common));
    }
    if (dirname(cur) === cur) return null;
  }
}

/** `root`, its descendants on the way to `cwd`, and `cwd` (just `cwd` if not under root). */
function ancestorsFromRoot(cwd: string, root: string): string[] {
  const out: string[] = [];
  for (let dir = cwd;; dir = dirname(dir)) {
    out.push(dir);
    if (dir === root || dirname(dir) === dir) break;
  }
  return out[out.length - 1] === root ? out.reverse() : [cwd];
}

/** Fields the reference reads as absolute paths; relative values are taken from the layer dir. */
const PATH_FIELDS: readonly string[][] = [
  ["experimental_instructions_file"],
  ["model_instructions_file"],
  ["model_catalog_json"],
  ["zsh_path"],
  ["js_repl_node_path"],
  ["sqlite_home"],
  ["log_dir"],
];
const PATH_LIST_FIELDS: readonly string[][] = [
  ["js_repl_node_module_dirs"],
  ["sandbox_workspace_write", "writable_roots"],
];
const PROFILE_PATH_FIELDS = [
  "experimental_instructions_file",
  "model_instructions_file",
  "model_catalog_json",
  "zsh_path",
  "js_repl_node_path",
];
const OTEL_EXPORTERS = ["exporter", "trace_exporter", "metrics_exporter"];
const TLS_FIELDS = ["ca-certificate", "client-certificate", "client-private-key"];

/**
 * Resolves relative values of path-typed fields against `baseDir` (the file's folder), as the
 * reference does before merging, so a project's `writable_roots = ["out"]` means
 * `<project>/.codex/out` wherever it ends up. The result is what layer versions hash. Values of
 * the wrong type are left for validation to report.
 */
export function resolveLayerPaths(table: TomlTable, baseDir: string): TomlTable {
  const out = cloneValue(table);
  const fix = (path: readonly string[], list: boolean) => {
    const v = getPath(out, path);
    if (!list && typeof v === "string") setPath(out, path, resolve(baseDir, v));
    if (list && Array.isArray(v)) {
      setPath(out, path, v.map((x) => typeof x === "string" ? resolve(baseDir, x) : x));
    }
  };
  for (const p of PATH_FIELDS) fix(p, false);
  for (const p of PATH_LIST_FIELDS) fix(p, true);
  const profiles = out["profiles"];
  if (isTomlTable(profiles)) {
    for (const name of Object.keys(profiles)) {
      for (const f of PROFILE_PATH_FIELDS) fix(["profiles", name, f], false);
    }
  }
  for (const exporter of OTEL_EXPORTERS) {
    const e = getPath(out, ["otel", exporter]);
    if (!isTomlTable(e)) continue;
    for (const variant of Object.keys(e)) {
      for (const f of TLS_FIELDS) fix(["otel", exporter, variant, "tls", f], false);
    }
  }
  return out;
}

/**
 * Validates the enabled layers in merge order, each on top of the valid settings below it, so
 * a setting completed by a lower layer (a provider's `name`, an MCP server's `command`) is not
 * reported, and an invalid value falls back to the lower layer's value rather than dropping
 * the key. Problems go to the layer whose file holds the offending key, with its location.
 */
export function validateLayerStack(layers: readonly ConfigLayer[]): {
  merged: TomlTable;
  dropped: Map<ConfigLayer, string[][]>;
} {
  let acc: TomlTable = {};
  const dropped = new Map<ConfigLayer, string[][]>();
  for (const layer of layers) {
    if (layer.disabledReason !== null) continue;
    const prev = acc;
    const result = validateConfig(mergeTables(prev, layer.raw));
    acc = result.sanitized;
    const gone: string[][] = [];
    for (const problem of result.problems) {
      const path = tablePart(problem.keyPath);
      const inLayer = path !== null && getPath(layer.raw, path) !== undefined;
      if (!inLayer && problem.kind === "unknownKey") continue; // reported by a lower layer
      layer.problems.push(place(problem, layer, inLayer));
      if (problem.kind === "unknownKey" || path === null) continue;
      gone.push(path);
      const before = getPath(prev, path);
      if (getPath(acc, path) === undefined && before !== undefined) {
        restore(acc, path, cloneValue(before));
      }
    }
    dropped.set(layer, gone);
  }
  return { merged: acc, dropped };
}

function place(problem: ConfigProblem, layer: ConfigLayer, inLayer: boolean): ConfigProblem {
  if (layer.file === null || layer.text === null) return problem;
  if (!inLayer) return { ...problem, file: layer.file };
  return locateProblem(problem, layer.file, layer.text);
}

function restore(table: TomlTable, path: readonly string[], value: TomlValue): void {
  let cur = table;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (!isTomlTable(next)) return;
    cur = next;
  }
  setOwn(cur, path[path.length - 1]!, value);
}

/** The table keys of a problem's key path, up to the first array index. */
function tablePart(keyPath: string | null): string[] | null {
  if (keyPath === null) return null;
  const out: string[] = [];
  for (const seg of parseKeyPath(keyPath)) {
    if (typeof seg === "number") break;
    out.push(seg);
  }
  return out.length > 0 ? out : null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function realPath(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return resolve(path);
  }
}
