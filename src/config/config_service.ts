/**
 * The app-server's view of configuration: one object per process that loads every layer at
 * startup, answers the config API (fresh reads, writes to the user layer) and knows which
 * warnings to give each client after `initialize`. Loading never throws for a bad file, so a
 * broken config.toml cannot take the server down.
 *
 * @module
 */

import { join, resolve } from "node:path";
import type { ConfigWarningNotification } from "../protocol/schema/notifications.ts";
import type { ConfigRequirements } from "../protocol/schema/config.ts";
import type { ConfigWriteResponse, OverriddenMetadata } from "../protocol/schema/config_write.ts";
import type { ConfigLayer, ConfigProblem, LoadedConfig, TomlValue } from "./types.ts";
import { loadConfig } from "./load.ts";
import { type LoadedRequirements, loadRequirements } from "./requirements.ts";
import { resolveEffective } from "./effective.ts";
import { validateConfig } from "./schema.ts";
import { formatProblem } from "./diagnostics.ts";
import { getPath, mergeTables } from "./merge.ts";
import { toJsonValue } from "./version.ts";
import { type ConfigEditRequest, configWriteError, writeUserConfig } from "./edit.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("codex_app_server");

/**
 * Summary of a config problem. The reference says `Invalid configuration; using defaults.`
 * because it drops the whole file; we keep every valid setting, so we say what we do instead.
 * Both start with `Invalid configuration;` for clients that match on it.
 */
export const INVALID_SETTINGS_SUMMARY = "Invalid configuration; ignoring the invalid settings.";
/** Summary when a file cannot be parsed at all (then none of its settings apply). */
export const INVALID_FILE_SUMMARY = "Invalid configuration; ignoring this file.";
/** Summary when requirements replace a configured value. */
export const REQUIREMENT_SUMMARY = "Configuration constrained by requirements.";
const DISABLED_PROJECTS_SUMMARY =
  "Project config.toml files are disabled in the following folders. Settings in those files are ignored, but skills and exec policies still load.\n";

/** Where system config lives unless `CODEX_SYSTEM_CONFIG_DIR` says otherwise (tests do). */
export function defaultSystemDir(env: Record<string, string | undefined> = Deno.env.toObject()) {
  return env.CODEX_SYSTEM_CONFIG_DIR || "/etc/codex";
}

/** What the app-server was started with. */
export interface ConfigServiceOptions {
  codexHome: string;
  /** The server process's cwd: its disabled project folders are announced at initialize. */
  cwd: string | null;
  overrides: readonly string[];
  featureToggles: ReadonlyArray<{ feature: string; enabled: boolean }>;
  analyticsDefaultEnabled: boolean;
  /** Default: {@linkcode defaultSystemDir}. */
  systemDir?: string;
}

/** Params shared by `config/value/write` and `config/batchWrite`. */
export interface ConfigWriteRequest {
  edits: readonly ConfigEditRequest[];
  filePath?: string | null;
  expectedVersion?: string | null;
}

/** Process-wide configuration state. */
export class ConfigService {
  readonly options: Required<ConfigServiceOptions>;
  #loaded: LoadedConfig;
  #requirements: ConfigRequirements | null;
  #requirementProblems: ConfigProblem[];
  readonly #warnings: ConfigWarningNotification[];

  private constructor(
    options: Required<ConfigServiceOptions>,
    loaded: LoadedConfig,
    req: LoadedRequirements,
  ) {
    this.options = options;
    this.#loaded = loaded;
    this.#requirements = req.requirements;
    this.#requirementProblems = req.problems;
    // Values that requirements replace are announced up front, not only when a thread starts.
    const enforced = resolveEffective(loaded, req.requirements, {
      requirementSources: req.sources,
      mcpAllowList: req.mcpAllowList,
      analyticsDefaultEnabled: options.analyticsDefaultEnabled,
    }).problems;
    this.#warnings = buildWarnings(loaded, [...req.problems, ...enforced]);
    for (const w of this.#warnings) log.error(`${w.summary} ${w.details ?? ""}`.trimEnd());
  }

  /** Loads every layer and the requirements; never throws for a bad file. */
  static async load(opts: ConfigServiceOptions): Promise<ConfigService> {
    const options = { ...opts, systemDir: opts.systemDir ?? defaultSystemDir() };
    const [loaded, req] = await Promise.all([
      loadConfig(loadOptions(options, options.cwd)),
      loadRequirements(options.systemDir),
    ]);
    return new ConfigService(options, loaded, req);
  }

  /** The config as loaded at startup (or at the last {@linkcode reload}). */
  get loaded(): LoadedConfig {
    return this.#loaded;
  }

  /** Admin requirements as last loaded; null when no source sets any. */
  get requirements(): ConfigRequirements | null {
    return this.#requirements;
  }

  /** Problems of requirements.toml as last loaded. */
  get requirementProblems(): readonly ConfigProblem[] {
    return this.#requirementProblems;
  }

  /** The user config.toml. */
  get userConfigPath(): string {
    return join(this.options.codexHome, "config.toml");
  }

  /**
   * A fresh load from disk, as the reference does per request; project layers are those seen
   * from `cwd` (none when null). A thread's `config` map joins the session-flags layer.
   */
  read(cwd: string | null, threadConfig?: Record<string, unknown> | null): Promise<LoadedConfig> {
    return loadConfig({
      ...loadOptions(this.options, cwd === null ? null : resolve(cwd)),
      threadConfig: threadConfig ?? null,
    });
  }

  /** Re-reads requirements from disk. */
  async readRequirements(): Promise<ConfigRequirements | null> {
    const req = await loadRequirements(this.options.systemDir);
    this.#requirements = req.requirements;
    this.#requirementProblems = req.problems;
    return req.requirements;
  }

  /** Reloads the startup view (after a write, so later readers see it). */
  async reload(): Promise<LoadedConfig> {
    this.#loaded = await loadConfig(loadOptions(this.options, this.options.cwd));
    return this.#loaded;
  }

  /**
   * Writes `edits` to the user config (the only writable layer) and tells whether a higher
   * layer (session flags, managed config) still overrides what was written.
   */
  async write(req: ConfigWriteRequest): Promise<ConfigWriteResponse> {
    if (req.filePath != null && resolve(req.filePath) !== this.userConfigPath) {
      throw configWriteError("configLayerReadonly", "Only writes to the user config are allowed");
    }
    const written = await writeUserConfig({
      codexHome: this.options.codexHome,
      edits: req.edits,
      expectedVersion: req.expectedVersion,
      validate: (table) => validateConfig(table).problems,
    });
    // In the thread-agnostic view only session flags and managed config sit above the user
    // layer, and neither changes with this write: judge overrides from them and the written
    // table, without loading everything again.
    const above = this.#loaded.layers.filter((l) =>
      l.source.type === "sessionFlags" || l.source.type.startsWith("legacyManaged")
    );
    // The startup view catches up in the background.
    void this.reload().catch((err) =>
      log.error("config reload after write failed", { error: String(err) })
    );
    let overriddenMetadata: OverriddenMetadata | null = null;
    if (above.length > 0) {
      const user: ConfigLayer = {
        source: { type: "user", file: written.filePath },
        file: written.filePath,
        text: null,
        raw: written.table,
        version: written.version,
        disabledReason: null,
        problems: [],
      };
      const view = {
        layers: [user, ...above],
        merged: above.reduce((acc, l) => mergeTables(acc, l.raw), written.table),
      };
      for (const edit of req.edits) {
        overriddenMetadata = overriddenBy(view, edit.keyPath.split("."));
        if (overriddenMetadata) break;
      }
    }
    return {
      status: overriddenMetadata ? "okOverridden" : "ok",
      version: written.version,
      filePath: written.filePath,
      overriddenMetadata,
    };
  }

  /** The `configWarning` params every connection gets right after its `initialize`. */
  startupWarnings(): readonly ConfigWarningNotification[] {
    return this.#warnings;
  }
}

function loadOptions(o: Required<ConfigServiceOptions>, cwd: string | null) {
  return {
    codexHome: o.codexHome,
    cwd,
    overrides: o.overrides,
    featureToggles: o.featureToggles,
    systemDir: o.systemDir,
    analyticsDefaultEnabled: o.analyticsDefaultEnabled,
  };
}

/**
 * When the effective value at `path` differs from what the user layer now holds, the highest
 * enabled layer above the user layer that sets it (or a parent of it) is reported, as the
 * reference does.
 */
function overriddenBy(
  view: Pick<LoadedConfig, "layers" | "merged">,
  path: string[],
): OverriddenMetadata | null {
  const userAt = view.layers.findIndex((l) => l.source.type === "user");
  const effective = getPath(view.merged, path);
  const written = userAt === -1 ? undefined : getPath(view.layers[userAt]!.raw, path);
  if (canonical(effective) === canonical(written)) return null;
  for (let i = view.layers.length - 1; i > userAt; i--) {
    const layer = view.layers[i]!;
    if (layer.disabledReason !== null) continue;
    if (!path.some((_, n) => getPath(layer.raw, path.slice(0, n + 1)) !== undefined)) continue;
    return {
      message: overrideMessage(layer),
      overridingLayer: { name: layer.source, version: layer.version },
      effectiveValue: effective === undefined ? null : toJsonValue(effective),
    };
  }
  return null;
}

/** JSON text with sorted keys, to compare TOML values by content. */
function canonical(v: TomlValue | undefined): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x === null || typeof x !== "object") return x;
    return Object.fromEntries(
      Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]),
    );
  };
  return v === undefined ? "undefined" : JSON.stringify(
    sort(toJsonValue(v)),
    (_, x) => typeof x === "bigint" ? x.toString() : x,
  );
}

function overrideMessage(layer: ConfigLayer): string {
  switch (layer.source.type) {
    case "sessionFlags":
      return "Overridden by session flags";
    case "legacyManagedConfigTomlFromFile":
      return `Overridden by legacy managed_config.toml: ${layer.source.file}`;
    case "legacyManagedConfigTomlFromMdm":
      return "Overridden by legacy managed_config.toml from MDM";
    case "project":
      return `Overridden by project config: ${layer.source.dotCodexFolder}`;
    default:
      return `Overridden by ${layer.source.type} config`;
  }
}

/** Problems people must hear about at startup; unknown keys are only for `--strict-config`. */
const WARNED_KINDS = new Set<ConfigProblem["kind"]>(["syntax", "type", "reference", "requirement"]);

function buildWarnings(
  loaded: LoadedConfig,
  requirementProblems: readonly ConfigProblem[],
): ConfigWarningNotification[] {
  const disabledFiles = new Set(
    loaded.layers.filter((l) => l.disabledReason !== null && l.file).map((l) => l.file),
  );
  const warnings: ConfigWarningNotification[] = [];
  for (const p of [...loaded.problems, ...requirementProblems]) {
    if (!WARNED_KINDS.has(p.kind) || (p.file !== null && disabledFiles.has(p.file))) continue;
    const w: ConfigWarningNotification = {
      summary: p.kind === "syntax"
        ? INVALID_FILE_SUMMARY
        : p.kind === "requirement"
        ? REQUIREMENT_SUMMARY
        : INVALID_SETTINGS_SUMMARY,
      details: formatProblem(p),
    };
    if (p.file !== null) w.path = p.file;
    if (p.range !== null) w.range = p.range;
    warnings.push(w);
  }
  const disabled = loaded.layers.filter((l) =>
    l.source.type === "project" && l.disabledReason !== null
  );
  if (disabled.length > 0) {
    const lines = disabled.map((l, i) => {
      const folder = l.source.type === "project" ? l.source.dotCodexFolder : "";
      return `    ${i + 1}. ${folder}\n       ${l.disabledReason}\n`;
    });
    warnings.push({ summary: DISABLED_PROJECTS_SUMMARY + lines.join(""), details: null });
  }
  return warnings;
}
