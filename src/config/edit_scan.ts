/**
 * A statement-level scanner for TOML documents that are already known to be valid: where each
 * header and key/value starts and ends, which comment lines belong to it, and its full key
 * path. Enough to patch a file without a full format-preserving parser.
 *
 * @module
 */

import { parse as parseTomlText } from "smol-toml";

/** One top-level statement of a TOML document (comments and blank lines are not statements). */
export interface Stmt {
  kind: "keyval" | "table" | "arrayTable";
  /** Start of the comment and blank lines above it, which belong to it (as in toml_edit). */
  ownedStart: number;
  start: number;
  /** Just past its line end (newline included). */
  end: number;
  /** Full key path: a header's path, or the section path plus a key/value's dotted key. */
  path: string[];
  /** Segments of a key/value's own key. */
  keyLength: number;
  valueStart: number;
  valueEnd: number;
  /** Index of the header it is under; -1 for the root table. */
  section: number;
  /** Set when it belongs to an array of tables (`[[x]]` and anything under it). */
  group: string[] | null;
}

/** Splits a valid TOML document into statements; the caller has already parsed it. */
export function scanDocument(text: string) {
  const stmts: Stmt[] = [];
  let pos = 0;
  let triviaStart = 0;
  let section = -1;
  let sectionPath: string[] = [];
  let group: string[] | null = null;
  const groups: string[][] = [];
  while (pos < text.length) {
    const start = pos;
    pos = skipBlank(text, pos);
    const c = text[pos];
    if (pos >= text.length || c === "\n" || c === "\r" || c === "#") {
      pos = lineEnd(text, pos);
      continue;
    }
    if (c === "[") {
      const array = text[pos + 1] === "[";
      const [path, after] = readKey(text, pos + (array ? 2 : 1));
      pos = lineEnd(text, after + (array ? 2 : 1));
      if (array) groups.push(path);
      group = groups.find((g) => startsWith(path, g)) ?? null;
      section = stmts.length;
      sectionPath = path;
      stmts.push({
        kind: array ? "arrayTable" : "table",
        ownedStart: triviaStart,
        start,
        end: pos,
        path,
        keyLength: 0,
        valueStart: pos,
        valueEnd: pos,
        section: -1,
        group,
      });
    } else {
      const [key, after] = readKey(text, pos);
      const valueStart = skipBlank(text, after + 1); // past "="
      const valueEnd = skipValue(text, valueStart);
      pos = lineEnd(text, valueEnd);
      stmts.push({
        kind: "keyval",
        ownedStart: triviaStart,
        start,
        end: pos,
        path: [...sectionPath, ...key],
        keyLength: key.length,
        valueStart,
        valueEnd,
        section,
        group,
      });
    }
    triviaStart = pos;
  }
  /** End of a section's last key/value (or of its header); for the root, 0 when it has none. */
  const bodyEnd = (header: number): number => {
    let end = header === -1 ? 0 : stmts[header]!.end;
    for (const s of stmts) if (s.kind === "keyval" && s.section === header) end = s.end;
    return end;
  };
  return { stmts, bodyEnd };
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg);
}

function skipBlank(text: string, pos: number): number {
  while (text[pos] === " " || text[pos] === "\t") pos++;
  return pos;
}

/** Past the end of the current line (an optional comment, then the newline). */
function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf("\n", pos);
  return nl === -1 ? text.length : nl + 1;
}

/** Reads a dotted key; returns its segments and the position after it (and its blanks). */
function readKey(text: string, pos: number): [string[], number] {
  const segs: string[] = [];
  for (;;) {
    pos = skipBlank(text, pos);
    const c = text[pos];
    let end = pos;
    if (c === '"' || c === "'") {
      end = skipString(text, pos);
      // The document is known to be valid, so the parser can decode the quoted key for us.
      segs.push(Object.keys(parseTomlText(`${text.slice(pos, end)} = 0`))[0]!);
    } else {
      while (end < text.length && /[A-Za-z0-9_-]/.test(text[end]!)) end++;
      segs.push(text.slice(pos, end));
    }
    pos = skipBlank(text, end);
    if (text[pos] !== ".") return [segs, pos];
    pos++;
  }
}

/** Past the end of a string starting at `pos` (basic, literal, or their multi-line forms). */
function skipString(text: string, pos: number): number {
  const q = text[pos]!;
  const multi = text.startsWith(q.repeat(3), pos);
  let i = pos + (multi ? 3 : 1);
  while (i < text.length) {
    if (q === '"' && text[i] === "\\") {
      i += 2;
    } else if (multi && text.startsWith(q.repeat(3), i)) {
      let end = i + 3;
      while (text[end] === q && end - i < 5) end++; // up to two quotes may end the content
      return end;
    } else if (!multi && text[i] === q) {
      return i + 1;
    } else {
      i++;
    }
  }
  return i;
}

/** Past the end of the value starting at `pos`: a string, an array, an inline table, a bare word. */
function skipValue(text: string, pos: number): number {
  const start = pos;
  let depth = 0;
  while (pos < text.length) {
    const c = text[pos]!;
    if (c === '"' || c === "'") {
      pos = skipString(text, pos);
      if (depth === 0) return pos;
    } else if (c === "[" || c === "{") {
      depth++;
      pos++;
    } else if (c === "]" || c === "}") {
      depth--;
      pos++;
      if (depth === 0) return pos;
    } else if (c === "#" && depth > 0) {
      pos = lineEnd(text, pos);
    } else if (depth === 0 && (c === "\n" || c === "\r" || c === "#")) {
      break;
    } else {
      pos++;
    }
  }
  while (pos > start && (text[pos - 1] === " " || text[pos - 1] === "\t")) pos--;
  return pos;
}
