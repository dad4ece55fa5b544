/**
 * The session-flags layer: `-c key=value` overrides, `--enable/--disable F` and a thread's
 * `config` map, folded into one table in that order so a later setting wins, as in the
 * reference.
 *
 * @module
 */

import { parseTomlValue } from "./toml_read.ts";
import { setOwn, setPath } from "./merge.ts";
import type { TomlTable, TomlValue } from "./types.ts";

/** A `-c` override that cannot be understood; the CLI reports it and exits 1. */
export class ConfigOverrideError extends Error {
  override name = "ConfigOverrideError";
}

/**
 * Parses one `-c key=value`. The key is split naively on `.` (no quoting, like the reference:
 * `"a.b"=1` yields the keys `"a` and `b"`); the value is a TOML value when it parses as one,
 * else the raw text with surrounding quotes trimmed.
 */
export function parseOverride(raw: string): { keyPath: string[]; value: TomlValue } {
  const eq = raw.indexOf("=");
  if (eq < 0) throw new ConfigOverrideError(`Invalid override (missing '='): ${raw}`);
  const key = raw.slice(0, eq).trim();
  if (key === "") throw new ConfigOverrideError(`Empty key in override: ${raw}`);
  return { keyPath: key.split("."), value: parseTomlValue(raw.slice(eq + 1)) };
}

/**
 * Builds the session-flags table. Throws {@linkcode ConfigOverrideError} for a malformed `-c`,
 * because the reference refuses to start rather than silently ignore a flag.
 */
export function sessionFlagsTable(
  overrides: readonly string[],
  toggles: ReadonlyArray<{ feature: string; enabled: boolean }>,
  threadConfig?: Record<string, unknown> | null,
): TomlTable {
  const table: TomlTable = {};
  for (const raw of overrides) {
    const { keyPath, value } = parseOverride(raw);
    setPath(table, keyPath, value);
  }
  for (const { feature, enabled } of toggles) setPath(table, ["features", feature], enabled);
  for (const [key, json] of Object.entries(threadConfig ?? {})) {
    const value = jsonToToml(json);
    if (value !== undefined) setPath(table, key.split("."), value);
  }
  return table;
}

/**
 * JSON from a client as TOML data. TOML has no null, so a null (or anything that is not JSON
 * data) is left out rather than guessed at.
 */
export function jsonToToml(v: unknown): TomlValue | undefined {
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "bigint") return v;
  if (Array.isArray(v)) {
    return v.map(jsonToToml).filter((x): x is TomlValue => x !== undefined);
  }
  if (typeof v === "object" && v !== null) {
    const out: TomlTable = {};
    for (const [k, inner] of Object.entries(v)) {
      const converted = jsonToToml(inner);
      if (converted !== undefined) setOwn(out, k, converted);
    }
    return out;
  }
  return undefined;
}
