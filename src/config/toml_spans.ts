/**
 * Finds where a key path lives in TOML source text, so a problem found in the parsed value
 * can be shown at the token the user wrote. A small tolerant scanner walks the text (it stops
 * quietly at the first thing it cannot read) and records a span for every table header, key,
 * value, array element and inline-table entry.
 *
 * @module
 */

import type { TextPosition, TextRange } from "./types.ts";

/** One step of a key path: a table key or an array index. */
export type KeySegment = string | number;

/** What a {@linkcode SpanNode} stands for. */
export type SpanKind =
  /** `[a.b]` header. */
  | "table"
  /** `[[a]]` header (the node's path ends with the element index). */
  | "arrayTable"
  /** A value after `=`, an array element or an inline-table entry's value. */
  | "value"
  /** A table made by a dotted key (`a.b = 1` makes `a`). */
  | "dotted"
  /** A table only implied by a header (`[a.b]` implies `a`). */
  | "implicit";

/** A key segment as written, with its UTF-16 span (end exclusive). */
export interface KeyToken {
  name: string;
  start: number;
  end: number;
}

/** A located node; offsets are UTF-16 indexes into the text, `end` exclusive. */
export interface SpanNode {
  path: KeySegment[];
  kind: SpanKind;
  start: number;
  end: number;
  /** The key segments of the statement that produced this node (headers and key/values). */
  keys?: KeyToken[];
  /** How many leading segments of `path` came from the enclosing table, not from `keys`. */
  base?: number;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Formats a key path: bare keys joined by `.`, other keys JSON-quoted, indexes as `[n]`. */
export function formatKeyPath(path: readonly KeySegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      if (out !== "") out += ".";
      out += BARE_KEY.test(seg) ? seg : JSON.stringify(seg);
    }
  }
  return out;
}

/** Parses {@linkcode formatKeyPath} output (quoted keys may use TOML basic or literal quotes). */
export function parseKeyPath(keyPath: string): KeySegment[] {
  const out: KeySegment[] = [];
  let i = 0;
  while (i < keyPath.length) {
    const c = keyPath[i]!;
    if (c === ".") i++;
    else if (c === "[") {
      const close = keyPath.indexOf("]", i);
      const n = Number(keyPath.slice(i + 1, close < 0 ? undefined : close));
      out.push(Number.isInteger(n) ? n : keyPath.slice(i + 1, close));
      i = close < 0 ? keyPath.length : close + 1;
    } else if (c === '"' || c === "'") {
      const s = new Scanner(keyPath);
      s.pos = i;
      try {
        out.push(s.quotedKey());
        i = s.pos;
      } catch {
        out.push(keyPath.slice(i));
        i = keyPath.length;
      }
    } else {
      let j = i;
      while (j < keyPath.length && keyPath[j] !== "." && keyPath[j] !== "[") j++;
      out.push(keyPath.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** Thrown inside the scanner when the text stops being readable TOML. */
class StopScan extends Error {}

const ESCAPES: Record<string, string> = {
  b: "\b",
  t: "\t",
  n: "\n",
  f: "\f",
  r: "\r",
  e: "\x1b",
  '"': '"',
  "\\": "\\",
};

/** Tolerant recursive-descent reader that records spans instead of building values. */
class Scanner {
  pos = 0;
  readonly nodes: SpanNode[] = [];
  constructor(readonly text: string) {}

  peek(o = 0): string {
    return this.text[this.pos + o] ?? "";
  }

  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Skips spaces and tabs; with `lines`, also newlines and comments. */
  skip(lines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t") this.pos++;
      else if (lines && (c === "\n" || c === "\r")) this.pos++;
      else if (lines && c === "#") this.skipComment();
      else return;
    }
  }

  skipComment(): void {
    while (this.pos < this.text.length && this.peek() !== "\n") this.pos++;
  }

  quotedKey(): string {
    const q = this.peek();
    if (q === "'") {
      const end = this.text.indexOf("'", this.pos + 1);
      const nl = this.text.indexOf("\n", this.pos + 1);
      if (end < 0 || (nl >= 0 && nl < end)) throw new StopScan();
      const name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    this.pos++;
    let name = "";
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "\n") throw new StopScan();
      this.pos++;
      if (c === '"') return name;
      if (c !== "\\") {
        name += c;
        continue;
      }
      const e = this.peek();
      this.pos++;
      const len = e === "u" ? 4 : e === "U" ? 8 : e === "x" ? 2 : 0;
      if (len > 0) {
        const code = parseInt(this.text.slice(this.pos, this.pos + len), 16);
        if (Number.isNaN(code) || code > 0x10ffff) throw new StopScan();
        name += String.fromCodePoint(code);
        this.pos += len;
      } else if (e in ESCAPES) name += ESCAPES[e];
      else throw new StopScan();
    }
  }

  /** Reads a dotted key; stops before the `=` or `]` that follows it. */
  key(): KeyToken[] {
    const keys: KeyToken[] = [];
    for (;;) {
      this.skip(false);
      const start = this.pos;
      let name: string;
      if (this.peek() === '"' || this.peek() === "'") name = this.quotedKey();
      else {
        while (/[A-Za-z0-9_-]/.test(this.peek())) this.pos++;
        if (this.pos === start) throw new StopScan();
        name = this.text.slice(start, this.pos);
      }
      keys.push({ name, start, end: this.pos });
      this.skip(false);
      if (this.peek() !== ".") return keys;
      this.pos++;
    }
  }

  /** Walks the whole document. */
  document(): void {
    let table: KeySegment[] = [];
    const arrayCounts = new Map<string, number>();
    if (this.peek() === "\ufeff") this.pos++;
    for (;;) {
      this.skip(true);
      if (this.pos >= this.text.length) return;
      if (this.peek() === "[") {
        const start = this.pos;
        const isArray = this.peek(1) === "[";
        this.pos += isArray ? 2 : 1;
        const keys = this.key();
        if (!this.startsWith(isArray ? "]]" : "]")) throw new StopScan();
        this.pos += isArray ? 2 : 1;
        table = this.headerPath(keys, isArray, arrayCounts, start);
      } else {
        this.keyValue(table);
      }
      this.skip(false);
      if (this.peek() === "#") this.skipComment();
    }
  }

  /** Resolves a header's keys to a path with array-of-tables indexes and records its nodes. */
  headerPath(
    keys: KeyToken[],
    isArray: boolean,
    counts: Map<string, number>,
    start: number,
  ): KeySegment[] {
    const path: KeySegment[] = [];
    const names: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      names.push(keys[i]!.name);
      path.push(keys[i]!.name);
      const id = names.join("\u0000");
      const last = i === keys.length - 1;
      if (last && isArray) {
        this.add([...path], "implicit", start, this.pos);
        const n = (counts.get(id) ?? -1) + 1;
        counts.set(id, n);
        for (const k of [...counts.keys()]) if (k.startsWith(id + "\u0000")) counts.delete(k);
        path.push(n);
      } else if (counts.has(id)) path.push(counts.get(id)!);
      if (!last) this.add([...path], "implicit", start, this.pos);
    }
    this.nodes.push({
      path: [...path],
      kind: isArray ? "arrayTable" : "table",
      start,
      end: this.pos,
      keys,
      base: 0,
    });
    return path;
  }

  add(path: KeySegment[], kind: SpanKind, start: number, end: number): void {
    this.nodes.push({ path, kind, start, end });
  }

  /** `key = value`, at top level or inside an inline table. */
  keyValue(base: KeySegment[]): void {
    const keys = this.key();
    if (this.peek() !== "=") throw new StopScan();
    this.pos++;
    this.skip(false);
    const path = [...base];
    for (let i = 0; i < keys.length - 1; i++) {
      path.push(keys[i]!.name);
      this.add([...path], "dotted", keys[0]!.start, keys[i]!.end);
    }
    path.push(keys[keys.length - 1]!.name);
    const node: SpanNode = { path, kind: "value", start: this.pos, end: this.pos, keys };
    node.base = base.length;
    this.nodes.push(node);
    this.value(path, node);
  }

  /** Reads one value; records nested nodes; fills `node.end`. */
  value(path: KeySegment[], node?: SpanNode): void {
    const start = this.pos;
    const self = node ?? { path, kind: "value" as const, start, end: start };
    if (!node) this.nodes.push(self);
    const c = this.peek();
    if (this.startsWith('"""') || this.startsWith("'''")) this.multiline(c);
    else if (c === '"' || c === "'") this.quotedKey();
    else if (c === "[") this.array(path);
    else if (c === "{") this.inlineTable(path);
    else this.bare();
    self.start = start;
    self.end = this.pos;
  }

  multiline(q: string): void {
    this.pos += 3;
    for (;;) {
      if (this.pos >= this.text.length) throw new StopScan();
      const c = this.peek();
      if (c === "\\" && q === '"') this.pos += 2;
      else if (this.startsWith(q.repeat(3))) {
        this.pos += 3;
        for (let extra = 0; extra < 2 && this.peek() === q; extra++) this.pos++;
        return;
      } else this.pos++;
    }
  }

  array(path: KeySegment[]): void {
    this.pos++;
    for (let index = 0;; index++) {
      this.skip(true);
      if (this.peek() === "]") break;
      if (this.pos >= this.text.length) throw new StopScan();
      this.value([...path, index]);
      this.skip(true);
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "]") throw new StopScan();
    }
    this.pos++;
  }

  inlineTable(path: KeySegment[]): void {
    this.pos++;
    for (;;) {
      this.skip(true);
      if (this.peek() === "}") break;
      if (this.pos >= this.text.length) throw new StopScan();
      this.keyValue(path);
      this.skip(true);
      if (this.peek() === ",") this.pos++;
      else if (this.peek() !== "}") throw new StopScan();
    }
    this.pos++;
  }

  /** Numbers, booleans and dates; a date may have a space before its time. */
  bare(): void {
    const start = this.pos;
    const stop = /[\s,\]}#]/;
    while (this.pos < this.text.length && !stop.test(this.peek())) this.pos++;
    if (
      /^\d{4}-\d{2}-\d{2}$/.test(this.text.slice(start, this.pos)) && this.peek() === " " &&
      /^\d{2}:/.test(this.text.slice(this.pos + 1, this.pos + 4))
    ) {
      this.pos++;
      while (this.pos < this.text.length && !stop.test(this.peek())) this.pos++;
    }
    if (this.pos === start) throw new StopScan();
  }
}

/** Scans `text` and returns every node found, in document order (stops at unreadable text). */
export function scanToml(text: string): SpanNode[] {
  const s = new Scanner(text);
  try {
    s.document();
  } catch (e) {
    if (!(e instanceof StopScan)) throw e;
  }
  return s.nodes;
}

/** Reads a quoted TOML key starting at `offset` (UTF-16); null when it is not one. */
export function readQuotedKey(text: string, offset: number): string | null {
  const s = new Scanner(text);
  s.pos = offset;
  try {
    return s.quotedKey();
  } catch {
    return null;
  }
}

const PRIORITY: Record<SpanKind, number> = {
  table: 0,
  arrayTable: 0,
  value: 0,
  dotted: 1,
  implicit: 2,
};

/** The best node for a key path (exact match first, then a naive dotted-string match). */
export function findNode(nodes: readonly SpanNode[], keyPath: string): SpanNode | null {
  const want = formatKeyPath(parseKeyPath(keyPath));
  let best: SpanNode | null = null;
  for (const pass of [0, 1]) {
    for (const n of nodes) {
      const name = pass === 0 ? formatKeyPath(n.path) : naiveKeyPath(n.path);
      if (name !== (pass === 0 ? want : keyPath)) continue;
      if (!best || PRIORITY[n.kind] < PRIORITY[best.kind]) best = n;
    }
    if (best) return best;
  }
  return null;
}

function naiveKeyPath(path: readonly KeySegment[]): string {
  return path.map((s, i) => typeof s === "number" ? `[${s}]` : (i ? "." : "") + s).join("");
}

/** Span of what `keyPath` names in the TOML text; see the module doc. Null if not found. */
export function locateKeyPath(text: string, keyPath: string): TextRange | null {
  const node = findNode(scanCached(text), keyPath);
  return node ? spanToRange(text, node.start, node.end) : null;
}

// One file's problems are located one after another: scan it once, not once per problem.
let lastScan: { text: string; nodes: SpanNode[] } | null = null;

/** {@linkcode scanToml}, remembering the last text scanned. */
export function scanCached(text: string): SpanNode[] {
  if (lastScan?.text !== text) lastScan = { text, nodes: scanToml(text) };
  return lastScan.nodes;
}

/** Line/column (1-based, column in characters) of a UTF-16 offset inside the text. */
export function positionAt(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: charCount(text, lineStart, offset) + 1 };
}

/** Number of Unicode characters in `text[from, to)` (UTF-16 indexes). */
export function charCount(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === from) n++;
  }
  return n;
}

/** Range of the UTF-16 span `[start, end)`; the end is inclusive in the result. */
export function spanToRange(text: string, start: number, end: number): TextRange {
  if (start < text.length && end <= text.length) {
    // Fast path: positions straight from UTF-16 offsets (the common case, no allocation).
    let last = end - 1;
    const low = text.charCodeAt(last);
    if (last > start && low >= 0xdc00 && low <= 0xdfff) last--;
    const startPos = positionAt(text, start);
    return { start: startPos, end: end > start ? positionAt(text, last) : { ...startPos } };
  }
  const s = utf16ToChar(text, start);
  let last = end - 1;
  const lo = text.charCodeAt(last);
  if (last > start && lo >= 0xdc00 && lo <= 0xdfff) last--;
  const e = end > start ? utf16ToChar(text, last) : s;
  return { start: rangeAtOffset(text, s).start, end: rangeAtOffset(text, e).start };
}

/** Character offset of a UTF-16 index. */
export function utf16ToChar(text: string, offset: number): number {
  return charCount(text, 0, Math.min(offset, text.length)) + Math.max(0, offset - text.length);
}

/** Range of a 0-based character offset (clamped like the reference: past EOF → last char + overflow). */
export function rangeAtOffset(text: string, offset: number): TextRange {
  const chars = [...text];
  let pos: TextPosition;
  if (chars.length === 0) pos = { line: 1, column: 1 };
  else {
    const at = Math.max(0, Math.min(offset, chars.length - 1));
    const utf16 = chars.slice(0, at).join("").length;
    pos = positionAt(text, utf16);
    pos.column += Math.max(0, offset - at);
  }
  return { start: { ...pos }, end: { ...pos } };
}
