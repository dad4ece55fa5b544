/**
 * The text side of config edits: given a TOML document and the data it should hold after an
 * edit, patch only the statements that differ, so comments, blank lines and key order survive.
 * Value rendering follows toml_edit's defaults (basic strings, `[a, b]`, `{ k = v }`).
 *
 * @module
 */

import { parse as parseTomlText } from "smol-toml";
import { internalError, invalidRequest, type RpcError } from "../jsonrpc/errors.ts";
import { scanDocument } from "./edit_scan.ts";

/** A TOML table as plain data (smol-toml's parse output, or JSON turned into TOML data). */
export type Doc = Record<string, unknown>;
const DATETIME = "$__toml_private_datetime";

/** One edit of `config/value/write` / `config/batchWrite`. */
export interface ConfigEditRequest {
  keyPath: string;
  /** Any JSON value; `null` deletes the key. */
  value: unknown;
  mergeStrategy: "replace" | "upsert";
}

/** The reference's `ConfigWriteErrorCode` values (sent as `data.config_write_error_code`). */
export type ConfigWriteErrorCode =
  | "configLayerReadonly"
  | "configVersionConflict"
  | "configValidationError"
  | "configPathNotFound"
  | "configSchemaUnknownKey"
  | "userLayerNotFound";

/** A `-32600` write error carrying the reference's `config_write_error_code`. */
export function configWriteError(code: ConfigWriteErrorCode, message: string): RpcError {
  return invalidRequest(message, { config_write_error_code: code });
}

/**
 * Applies `edits` in order to the TOML `text` and returns the new text, changing only what the
 * edits touch. Throws an `RpcError` (configValidationError) for an empty key path, a path
 * through a non-table value, or a `null` nested inside a value; throws on text that is not
 * valid TOML.
 */
export function applyEdits(text: string, edits: readonly ConfigEditRequest[]): string {
  const old = parseTomlText(text, { integersAsBigInt: "asNeeded" }) as Doc;
  const next = parseTomlText(text, { integersAsBigInt: "asNeeded" }) as Doc;
  for (const e of edits) applyEdit(next, e);
  return rewriteToml(text, old, next);
}

function applyEdit(doc: Doc, edit: ConfigEditRequest): void {
  if (edit.keyPath === "") {
    throw configWriteError("configValidationError", "keyPath must not be empty");
  }
  const segs = edit.keyPath.split(".");
  const value = edit.value === null ? undefined : fromJson(edit.value);
  let parent = doc;
  for (const seg of segs.slice(0, -1)) {
    let child = parent[seg];
    if (child === undefined) {
      if (value === undefined) return;
      child = parent[seg] = {};
    } else if (!isTable(child)) {
      if (value === undefined) return;
      throw configWriteError("configValidationError", "cannot set value on non-table parent");
    }
    parent = child as Doc;
  }
  const key = segs[segs.length - 1]!;
  if (value === undefined) {
    delete parent[key];
    return;
  }
  const old = parent[key];
  parent[key] = edit.mergeStrategy === "upsert" && isTable(old) && isTable(value)
    ? deepMerge(old, value)
    : value;
}

/** JSON → TOML data; object keys sorted, as the reference writes whole tables. */
function fromJson(v: unknown): unknown {
  if (v === null || v === undefined) {
    throw configWriteError(
      "configValidationError",
      "invalid value: invalid type: null, expected any valid TOML value",
    );
  }
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === "object") {
    if (isDateMarker(v)) return v;
    const out: Doc = {};
    for (const k of Object.keys(v).sort()) out[k] = fromJson((v as Doc)[k]);
    return out;
  }
  return v;
}

function deepMerge(base: Doc, over: Doc): Doc {
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isTable(b) && isTable(v) ? deepMerge(b, v) : v;
  }
  return out;
}
export function isDateMarker(v: object): boolean {
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === DATETIME;
}

export function isTable(v: unknown): v is Doc {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) &&
    !isDateMarker(v);
}

function getPath(doc: Doc, path: readonly string[]): unknown {
  let cur: unknown = doc;
  for (const seg of path) {
    if (!isTable(cur) || !Object.hasOwn(cur, seg)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "bigint" || typeof b === "bigint") return String(a) === String(b);
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (a instanceof Date || b instanceof Date) return renderInline(a) === renderInline(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length &&
    ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Doc)[k], (b as Doc)[k]));
}

/** Renders a value in inline form (strings basic-quoted, tables as inline tables). */
function renderInline(v: unknown): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    return String(v);
  }
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(renderInline).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    if (isDateMarker(v)) return String((v as Doc)[DATETIME]);
    const parts = Object.entries(v).map(([k, x]) => `${renderKey(k)} = ${renderInline(x)}`);
    return parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }`;
  }
  throw internalError(`cannot write ${typeof v} to TOML`);
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, "0").toUpperCase()}`;
    else out += ch;
  }
  return out + '"';
}

function renderKey(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : quote(k);
}

function renderPath(path: readonly string[]): string {
  return path.map(renderKey).join(".");
}

const keyOf = (path: readonly string[]) => path.join("\u0000");

interface Patch {
  start: number;
  end: number;
  text: string;
}

/** Where new scalar keys of an existing table go, and which prefix their keys need. */
interface Home {
  insertAt: number;
  base: readonly string[];
}

/**
 * Patches `text` (which parses as `old`) so that it parses as `next`: a changed value is
 * replaced in place, a removed key or table goes with the comment lines above it, new keys
 * are appended to their table, new tables to the end of the file.
 */
export function rewriteToml(text: string, old: Doc, next: Doc): string {
  const { stmts, bodyEnd } = scanDocument(text);
  const nl = text.includes("\r\n") ? "\r\n" : "\n";
  const patches: Patch[] = [];
  const covered = new Set<string>();
  const homes = new Map<string, Home>([[keyOf([]), { insertAt: bodyEnd(-1), base: [] }]]);
  const existing = new Set<string>();
  const removedSections = new Set<number>();
  const remove = (start: number, end: number) => patches.push({ start, end, text: "" });
  const markExisting = (path: readonly string[]) => {
    for (let i = 1; i <= path.length; i++) existing.add(keyOf(path.slice(0, i)));
  };

  // Arrays of tables are kept whole when unchanged, else removed and written inline.
  const groups = new Map<string, number[]>();
  stmts.forEach((s, i) => {
    if (s.group !== null && s.kind !== "keyval") {
      const list = groups.get(keyOf(s.group)) ?? [];
      list.push(i);
      groups.set(keyOf(s.group), list);
    }
  });
  for (const [, idxs] of groups) {
    const group = stmts[idxs[0]!]!.group!;
    if (deepEqual(getPath(old, group), getPath(next, group))) {
      covered.add(keyOf(group));
      markExisting(group);
      continue;
    }
    for (const i of idxs) {
      removedSections.add(i);
      remove(stmts[i]!.ownedStart, bodyEnd(i));
    }
  }

  stmts.forEach((s, i) => {
    if (s.kind !== "table" || s.group !== null) return;
    if (!isTable(getPath(next, s.path))) {
      removedSections.add(i);
      remove(s.ownedStart, bodyEnd(i));
      return;
    }
    homes.set(keyOf(s.path), { insertAt: bodyEnd(i), base: s.path });
    markExisting(s.path);
  });

  for (const s of stmts) {
    if (s.kind !== "keyval" || s.group !== null || removedSections.has(s.section)) continue;
    const value = getPath(next, s.path);
    if (value === undefined) {
      remove(s.ownedStart, s.end);
      continue;
    }
    if (!deepEqual(value, getPath(old, s.path))) {
      patches.push({ start: s.valueStart, end: s.valueEnd, text: renderInline(value) });
    }
    covered.add(keyOf(s.path));
    markExisting(s.path);
    const sectionPath = s.path.slice(0, s.path.length - s.keyLength);
    for (let n = sectionPath.length + 1; n < s.path.length; n++) {
      homes.set(keyOf(s.path.slice(0, n)), { insertAt: s.end, base: sectionPath });
    }
  }

  const newSections: string[] = [];
  const walk = (path: string[], table: Doc) => {
    const scalars: Array<[string, unknown]> = [];
    const tables: Array<[string, Doc]> = [];
    for (const [k, v] of Object.entries(table)) {
      const p = [...path, k];
      if (covered.has(keyOf(p))) continue;
      if (isTable(v)) tables.push([k, v]);
      else scalars.push([k, v]);
    }
    if (scalars.length > 0) {
      const home = homes.get(keyOf(path));
      if (home) {
        const rel = path.slice(home.base.length);
        const lines = scalars.map(([k, v]) =>
          `${renderPath([...rel, k])} = ${renderInline(v)}${nl}`
        );
        const lead = home.insertAt > 0 && text[home.insertAt - 1] !== "\n" ? nl : "";
        patches.push({ start: home.insertAt, end: home.insertAt, text: lead + lines.join("") });
      } else {
        newSections.push(sectionText(path, scalars, nl));
      }
    }
    for (const [k, v] of tables) {
      const p = [...path, k];
      if (existing.has(keyOf(p))) walk(p, v);
      else newTable(p, v, newSections, nl);
    }
  };
  walk([], next);

  if (newSections.length > 0) {
    const lead = (text.length > 0 && !text.endsWith("\n") ? nl : "") +
      (text.trim().length > 0 ? nl : "");
    patches.push({ start: text.length, end: text.length, text: lead + newSections.join(nl) });
  }
  return applyPatches(text, patches);
}

function sectionText(path: readonly string[], entries: Array<[string, unknown]>, nl: string) {
  const lines = entries.map(([k, v]) => `${renderKey(k)} = ${renderInline(v)}${nl}`);
  return `[${renderPath(path)}]${nl}${lines.join("")}`;
}

/** A brand-new table: a header only when it has values of its own (or none at all). */
function newTable(path: string[], table: Doc, out: string[], nl: string): void {
  const entries = Object.entries(table);
  const scalars = entries.filter(([, v]) => !isTable(v));
  const tables = entries.filter(([, v]) => isTable(v)) as Array<[string, Doc]>;
  if (scalars.length > 0 || tables.length === 0) out.push(sectionText(path, scalars, nl));
  for (const [k, v] of tables) newTable([...path, k], v, out, nl);
}

/** Applies non-overlapping patches; at equal offsets insertions go first, in creation order. */
function applyPatches(text: string, patches: Patch[]): string {
  const order = patches.map((p, i) => ({ p, i })).sort((a, b) =>
    a.p.start - b.p.start || (a.p.end - a.p.start) - (b.p.end - b.p.start) || a.i - b.i
  );
  let out = "";
  let pos = 0;
  for (const { p } of order) {
    if (p.start < pos) continue; // inside something already removed
    out += text.slice(pos, p.start) + p.text;
    pos = p.end;
  }
  return out + text.slice(pos);
}
