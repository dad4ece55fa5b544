/**
 * Shared vocabulary of the configuration system: TOML values, positions, problems and
 * layers. Every config module speaks these types, so the loader, the diagnostics, the
 * config API and `codex config` fit together.
 *
 * @module
 */

import type { ConfigLayerSource } from "../protocol/schema/config.ts";

/** A TOML date/time kept as its source text (JSON: `{"$__toml_private_datetime": text}`). */
export interface TomlDateTime {
  readonly $__toml_private_datetime: string;
}

/** Any TOML value, as plain data. Integers beyond 2^53 are bigint. */
export type TomlValue =
  | string
  | number
  | bigint
  | boolean
  | TomlDateTime
  | TomlValue[]
  | TomlTable;

/** A TOML table. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** 1-based line and column; columns count Unicode characters, as the wire protocol says. */
export interface TextPosition {
  line: number;
  column: number;
}

/** A span in a file; `end` is the position of the LAST character (inclusive). */
export interface TextRange {
  start: TextPosition;
  end: TextPosition;
}

/** What kind of problem a {@linkcode ConfigProblem} is. */
export type ConfigProblemKind =
  /** The file is not valid TOML (or not UTF-8, or unreadable). */
  | "syntax"
  /** A value has the wrong type, an unknown enum variant, a missing required field… */
  | "type"
  /** A key this version does not know (only reported, never fatal). */
  | "unknownKey"
  /** A value that names something missing (`model_provider`, `profile`). */
  | "reference"
  /** A requirements constraint replaced a configured value. */
  | "requirement";

/** One problem found in configuration, with everything needed to show it to a person. */
export interface ConfigProblem {
  kind: ConfigProblemKind;
  /** Absolute path of the file it is in; null when no single file is to blame. */
  file: string | null;
  /** Where in `file`; null when unknown. */
  range: TextRange | null;
  /** Dotted key path with array indexes, e.g. `sandbox_workspace_write.writable_roots[1]`. */
  keyPath: string | null;
  /** The message without location, in the reference's serde style, e.g.
   * `invalid type: string "true", expected a boolean`. */
  message: string;
}

/** A configuration layer, lowest precedence first in {@linkcode LoadedConfig.layers}. */
export interface ConfigLayer {
  /** The wire form of where it comes from (`{type:"user", file}` …). */
  source: ConfigLayerSource;
  /** The file behind it, if any. */
  file: string | null;
  /** The file's text as read (for diagnostics and edits); null for flag layers or no file. */
  text: string | null;
  /** The layer's TOML exactly as written ({} for a missing or unparseable file). */
  raw: TomlTable;
  /** `sha256:` of the canonical JSON of `raw` (see version.ts). */
  version: string;
  /** Why a project layer does not take part in the merge; null when it does. */
  disabledReason: string | null;
  /** Problems found in this layer on its own. */
  problems: ConfigProblem[];
}

/** Inputs of one config load. */
export interface LoadOptions {
  /** Absolute CODEX_HOME. */
  codexHome: string;
  /** Project layers are found from here up to the project root; none when null. */
  cwd: string | null;
  /** `-c key=value` overrides in order. */
  overrides: readonly string[];
  /** `--enable F` / `--disable F` in order. */
  featureToggles: ReadonlyArray<{ feature: string; enabled: boolean }>;
  /** Per-thread `config` map of dotted keys to JSON values (thread/start etc.). */
  threadConfig?: Record<string, unknown> | null;
  /** Folder with config.toml, requirements.toml, managed_config.toml; default `/etc/codex`. */
  systemDir?: string;
  /** The `--analytics-default-enabled` flag. */
  analyticsDefaultEnabled?: boolean;
}

/** The outcome of a config load. A broken file never makes this throw. */
export interface LoadedConfig {
  /** Lowest precedence first: system, user, project (root → cwd), session flags, managed. */
  layers: ConfigLayer[];
  /** The merge of every enabled layer's valid settings (invalid ones are left out). */
  merged: TomlTable;
  /** For each leaf key path of `merged`, the layer that set it. */
  origins: Map<string, ConfigLayer>;
  /** Every problem, in layer order; `layers[i].problems` plus cross-layer ones. */
  problems: ConfigProblem[];
}
