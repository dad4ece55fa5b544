/**
 * Reading TOML into plain data without ever throwing: a broken file becomes a
 * {@linkcode ConfigProblem} with a precise position, so one bad file never takes the server down.
 *
 * @module
 */

import { parse, TomlDate, TomlError } from "smol-toml";
import type { ConfigProblem, TomlTable, TomlValue } from "./types.ts";
import {
  formatKeyPath,
  type KeySegment,
  scanToml,
  type SpanNode,
  spanToRange,
  utf16ToChar,
} from "./toml_spans.ts";
import { rangeAtOffset } from "./toml_spans.ts";

/** Parses TOML text. Never throws: a syntax error gives `{}` and one "syntax" problem. */
export function parseToml(
  text: string,
  file: string | null,
): { table: TomlTable; problems: ConfigProblem[] } {
  try {
    const raw = parse(text, { integersAsBigInt: "asNeeded" });
    const table = toPlain(raw) as TomlTable;
    const big = findOversizedInteger(table, []);
    if (big) return { table: {}, problems: [oversizedProblem(text, file, big)] };
    return { table, problems: [] };
  } catch (e) {
    return { table: {}, problems: [syntaxProblem(text, file, e)] };
  }
}

/** Reads and parses a file; a missing file is an empty table with no problem. */
export async function readTomlFile(
  path: string,
): Promise<{ text: string | null; table: TomlTable; problems: ConfigProblem[] }> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { text: null, table: {}, problems: [] };
    const why = e instanceof Error ? e.message : String(e);
    return { text: null, table: {}, problems: [readProblem(path, why)] };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return {
      text: null,
      table: {},
      problems: [readProblem(path, "stream did not contain valid UTF-8")],
    };
  }
  return { text, ...parseToml(text, path) };
}

/** Parses a `-c` value: a TOML value if `_ = <value>` parses, else the trimmed raw string. */
export function parseTomlValue(text: string): TomlValue {
  const trimmed = text.trim();
  try {
    const raw = parse(`_ = ${trimmed}`, { integersAsBigInt: "asNeeded" });
    const keys = Object.keys(raw);
    if (keys.length === 1 && keys[0] === "_") return toPlain(raw["_"]!);
  } catch {
    // Not a TOML value: the reference falls back to the raw string.
  }
  return trimmed.replace(/^["']+/, "").replace(/["']+$/, "");
}

function readProblem(path: string, why: string): ConfigProblem {
  return {
    kind: "syntax",
    file: path,
    range: null,
    keyPath: null,
    message: `Failed to read config file ${path}: ${why}`,
  };
}

/** Copies smol-toml output into plain objects (its tables have a null prototype). */
function toPlain(v: unknown): TomlValue {
  if (v instanceof TomlDate) return { $__toml_private_datetime: dateText(v) };
  if (Array.isArray(v)) return v.map(toPlain);
  if (v !== null && typeof v === "object") {
    const out: TomlTable = {};
    for (const [k, inner] of Object.entries(v)) {
      Object.defineProperty(out, k, {
        value: toPlain(inner),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v as TomlValue;
}

/** A date as the reference prints it: RFC 3339 with `T`, fraction only when non-zero. */
function dateText(d: TomlDate): string {
  return d.toISOString().replace(
    /\.(\d*?)0*(?=$|Z|[+-]\d\d:\d\d$)/,
    (_m, f: string) => f ? `.${f}` : "",
  );
}

const I64_MAX = 2n ** 63n - 1n;
const I64_MIN = -(2n ** 63n);

/** TOML integers are 64-bit; smol-toml accepts wider ones, the reference does not. */
function findOversizedInteger(
  v: TomlValue,
  path: KeySegment[],
): { path: KeySegment[]; value: bigint } | null {
  if (typeof v === "bigint") return v > I64_MAX || v < I64_MIN ? { path, value: v } : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findOversizedInteger(v[i]!, [...path, i]);
      if (hit) return hit;
    }
  } else if (v !== null && typeof v === "object" && !("$__toml_private_datetime" in v)) {
    for (const [k, inner] of Object.entries(v)) {
      const hit = findOversizedInteger(inner, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

function oversizedProblem(
  text: string,
  file: string | null,
  big: { path: KeySegment[]; value: bigint },
): ConfigProblem {
  const keyPath = formatKeyPath(big.path);
  const node = scanToml(text).find((n) => n.kind === "value" && formatKeyPath(n.path) === keyPath);
  return {
    kind: "syntax",
    file,
    range: node ? spanToRange(text, node.start, node.end) : rangeAtOffset(text, 0),
    keyPath,
    message: `invalid type: integer \`${big.value}\` as i128, expected any valid TOML value`,
  };
}

/** Turns a parser exception into a one-line problem at the parser's position. */
function syntaxProblem(text: string, file: string | null, e: unknown): ConfigProblem {
  if (!(e instanceof TomlError)) {
    const message = e instanceof Error ? e.message : String(e);
    return { kind: "syntax", file, range: rangeAtOffset(text, 0), keyPath: null, message };
  }
  const offset = utf16Offset(text, e.line, e.column);
  let message = e.message.replace(/^Invalid TOML document: /, "").split("\n")[0]!;
  if (/redefine|unsafe property/.test(message)) {
    const dup = duplicateKey(text, offset);
    if (dup) return { kind: "syntax", file, keyPath: dup.keyPath, ...dup.found };
    message = "duplicate key";
  } else message = betterMessage(text, offset, message);
  return {
    kind: "syntax",
    file,
    range: rangeAtOffset(text, utf16ToChar(text, offset)),
    keyPath: null,
    message,
  };
}

/** smol-toml's line/column (column in UTF-16 units, lines split at `\n`) as a UTF-16 offset. */
function utf16Offset(text: string, line: number, column: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) break;
    start = nl + 1;
  }
  return start + column - 1;
}

/** A few of smol-toml's messages, reworded where the reference's wording is clearer. */
function betterMessage(text: string, offset: number, message: string): string {
  const at = text[offset] ?? "";
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const before = text.slice(lineStart, offset).trimStart();
  if (message === "illegal character in key" && before.startsWith("[") && /^\r?\n?$/.test(at)) {
    return "unclosed table, expected `]`";
  }
  if (message === "control characters are not allowed in strings" && /^\r?\n?$/.test(at)) {
    const quote = before.slice(before.indexOf("=") + 1).trimStart()[0];
    if (quote === '"') return 'invalid basic string, expected `"`';
    if (quote === "'") return "invalid literal string, expected `'`";
  }
  return message;
}

type Found = { range: ConfigProblem["range"]; message: string };

/**
 * The reference points a redefinition at the repeated key segment; smol-toml points at the
 * statement. Finds the statement's key at `offset` and picks the segment that clashes: the
 * first that names an earlier value (a dotted key through a value cannot extend it), else the
 * last one.
 */
function duplicateKey(
  text: string,
  offset: number,
): { keyPath: string; found: Found } | null {
  const nodes = scanToml(text);
  const idx = nodes.findIndex((n) =>
    n.keys !== undefined && n.keys[0]!.start >= offset &&
    /^[ \t]*$/.test(text.slice(offset, n.keys[0]!.start))
  );
  if (idx < 0) return null;
  const stmt = nodes[idx]!;
  const keys = stmt.keys!;
  const base = stmt.path.slice(0, stmt.base ?? 0);
  const earlier = nodes.slice(0, idx);
  const isHeader = stmt.kind === "table" || stmt.kind === "arrayTable";
  for (let i = 0; i < keys.length; i++) {
    const prefix = formatKeyPath([...base, ...keys.slice(0, i + 1).map((k) => k.name)]);
    const prior = earlier.find((n: SpanNode) =>
      n.kind === "value" && formatKeyPath(n.path) === prefix
    );
    const last = i === keys.length - 1;
    if (!prior && !last) continue;
    const range = spanToRange(text, keys[i]!.start, keys[i]!.end);
    const message = prior && !last && !isHeader
      ? `cannot extend value of type ${
        valueTypeName(text.slice(prior.start, prior.end))
      } with a dotted key`
      : "duplicate key";
    return { keyPath: prefix, found: { range, message } };
  }
  return null;
}

/** toml_edit's name for the type of a value, from its source text. */
function valueTypeName(src: string): string {
  const c = src[0] ?? "";
  if (c === '"' || c === "'") return "string";
  if (c === "[") return "array";
  if (c === "{") return "inline table";
  if (src === "true" || src === "false") return "boolean";
  if (/^\d{2}:|^\d{4}-/.test(src)) return "datetime";
  if (/^[+-]?(inf|nan)$|[.eE]/.test(src) && !/^0x/.test(src)) return "float";
  return "integer";
}
