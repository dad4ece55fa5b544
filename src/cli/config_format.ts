/**
 * Text forms used by `codex config`: key paths as users type them (`projects."/srv/app".x`)
 * and TOML output that reads back as the same values, so what `show` and `get` print can be
 * pasted into a config file or fed back to `codex config set`.
 *
 * @module
 */

import type { TomlTable, TomlValue } from "../config/types.ts";

/** A key path the user typed that cannot be split into keys. */
export class KeyPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyPathError";
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Splits a dotted key path into keys. Quoted keys (`"a.b"` or `'a.b'`) are allowed so paths
 * such as project trust entries, whose keys are file paths, can be addressed at all.
 */
export function parseKeyPath(text: string): string[] {
  const keys: string[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  for (;;) {
    skipSpace();
    const ch = text[i];
    if (ch === undefined) {
      throw new KeyPathError(
        keys.length === 0 ? "key must not be empty" : `key '${text}' ends with '.'`,
      );
    }
    if (ch === '"') {
      const end = findClosingQuote(text, i + 1);
      if (end === -1) throw new KeyPathError(`unterminated quoted key in '${text}'`);
      try {
        keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      } catch {
        throw new KeyPathError(`invalid escape in quoted key in '${text}'`);
      }
      i = end + 1;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) throw new KeyPathError(`unterminated quoted key in '${text}'`);
      keys.push(text.slice(i + 1, end));
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
      if (i === start) throw new KeyPathError(`unexpected '${ch}' in key '${text}'`);
      keys.push(text.slice(start, i));
    }
    skipSpace();
    if (i === text.length) return keys;
    if (text[i] !== ".") throw new KeyPathError(`unexpected '${text[i]}' in key '${text}'`);
    i++;
  }
}

function findClosingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** Joins keys back into a path, quoting only the keys that need it. */
export function formatKeyPath(keys: readonly string[]): string {
  return keys.map(formatKey).join(".");
}

function formatKey(key: string): string {
  return BARE_KEY.test(key) ? key : tomlString(key);
}

/** A TOML basic string; TOML forbids raw control characters, so they are escaped. */
export function tomlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** True for a TOML table (not an array, not a date). */
export function isTable(v: unknown): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !("$__toml_private_datetime" in v);
}

/** One TOML value on one line, as it would appear after `key = `. */
export function tomlInline(v: TomlValue): string {
  switch (typeof v) {
    case "string":
      return tomlString(v);
    case "boolean":
    case "bigint":
      return String(v);
    case "number":
      if (Number.isNaN(v)) return "nan";
      if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
      return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : String(v);
  }
  if (Array.isArray(v)) return `[${v.map(tomlInline).join(", ")}]`;
  if (!isTable(v)) return v.$__toml_private_datetime;
  const entries = Object.entries(v);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([k, x]) => `${formatKey(k)} = ${tomlInline(x)}`).join(", ")} }`;
}

/** Returns a comment for a leaf (e.g. where it came from), or null for none. */
export type LeafNote = (path: readonly string[]) => string | null;

/**
 * A TOML document for `table`: plain keys first, then one `[header]` per table that holds
 * plain keys (or is empty, so it stays visible). `prefix` names where `table` sits, so a
 * sub-table printed by `get` keeps its real headers and notes.
 */
export function tomlDocument(
  table: TomlTable,
  note: LeafNote | null = null,
  prefix: readonly string[] = [],
): string {
  const lines: string[] = [];
  emitTable(table, prefix, note, lines, prefix.length === 0);
  return lines.join("\n");
}

function emitTable(
  table: TomlTable,
  path: readonly string[],
  note: LeafNote | null,
  lines: string[],
  isRoot: boolean,
): void {
  const entries = Object.entries(table);
  const leaves = entries.filter(([, v]) => !isTable(v));
  const tables = entries.filter(([, v]) => isTable(v)) as Array<[string, TomlTable]>;
  if (!isRoot && (leaves.length > 0 || entries.length === 0)) {
    if (lines.length > 0) lines.push("");
    lines.push(`[${formatKeyPath(path)}]`);
  }
  for (const [key, value] of leaves) {
    const line = `${formatKey(key)} = ${tomlInline(value)}`;
    const comment = note?.([...path, key]);
    lines.push(comment ? `${line}  # ${comment}` : line);
  }
  for (const [key, value] of tables) emitTable(value, [...path, key], note, lines, false);
}
