/**
 * Parser for the `apply_patch` text format: a `*** Begin Patch` / `*** End Patch` envelope
 * holding one section per file to add, delete or update. Errors are meant to be read by the
 * model, so they name the line and say what was expected.
 *
 * @module
 */

/** One `@@` section of an update: the lines to find and what replaces them. */
export interface UpdateChunk {
  /** Text after `@@ ` to locate first (e.g. a function header), or null for a bare `@@`. */
  context: string | null;
  /** Lines the file must contain (context and removed lines, in order). */
  oldLines: string[];
  /** Lines that take their place (context and added lines, in order). */
  newLines: string[];
  /** Set by `*** End of File`: the old lines should be matched at the end of the file. */
  isEndOfFile: boolean;
}

/** One file section of a patch. */
export type PatchHunk =
  | { type: "add"; path: string; contents: string }
  | { type: "delete"; path: string }
  | { type: "update"; path: string; movePath: string | null; chunks: UpdateChunk[] };

/** A patch that is not well-formed; the message is shown to the model as-is. */
export class PatchParseError extends Error {
  override name = "PatchParseError";
}

const BEGIN = "*** Begin Patch";
const END = "*** End Patch";
const ADD = "*** Add File: ";
const DELETE = "*** Delete File: ";
const UPDATE = "*** Update File: ";
const MOVE = "*** Move to: ";
const EOF_MARKER = "*** End of File";

function fail(message: string): never {
  throw new PatchParseError(`invalid patch: ${message}`);
}

/** The text after `prefix` when the trimmed `line` starts with it (an empty path too), else null. */
function after(trimmed: string, prefix: string): string | null {
  if (trimmed.startsWith(prefix)) return trimmed.slice(prefix.length);
  return trimmed === prefix.trimEnd() ? "" : null;
}

/** Whether `line` (already trimmed) looks like the start of a new file section or the end. */
function isSectionBoundary(trimmed: string): boolean {
  return after(trimmed, ADD) !== null || after(trimmed, DELETE) !== null ||
    after(trimmed, UPDATE) !== null || trimmed === END;
}

/** Drops a `<<'EOF'` ... `EOF` wrapper some models put around the patch itself. */
function stripHeredocWrapper(lines: string[]): string[] {
  const first = lines[0]?.trim() ?? "";
  const m = /^<<\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1$/.exec(first);
  if (m && lines.length >= 2 && lines[lines.length - 1]?.trim() === m[2]) {
    return lines.slice(1, -1);
  }
  return lines;
}

/** Parses patch text into file sections; throws `PatchParseError` on malformed input. */
export function parsePatch(text: string): PatchHunk[] {
  let lines = text.trim().split(/\r?\n/);
  lines = stripHeredocWrapper(lines);
  if (lines[0]?.trim() !== BEGIN) fail(`the first line must be '${BEGIN}'`);
  if (lines.length < 2 || lines[lines.length - 1]?.trim() !== END) {
    fail(`the last line must be '${END}'`);
  }
  const hunks: PatchHunk[] = [];
  const last = lines.length - 1;
  let i = 1;
  const pathOf = (rest: string, header: string, lineNo: number): string => {
    const path = rest.trim();
    if (path === "") fail(`line ${lineNo}: missing path after '${header.trim()}'`);
    return path;
  };
  while (i < last) {
    const raw = lines[i] ?? "";
    const header = raw.trim();
    const lineNo = i + 1;
    const added = after(header, ADD);
    const deleted = after(header, DELETE);
    const updated = after(header, UPDATE);
    if (added !== null) {
      const path = pathOf(added, ADD, lineNo);
      i++;
      const body: string[] = [];
      while (i < last && (lines[i] ?? "").startsWith("+")) {
        body.push((lines[i] ?? "").slice(1));
        i++;
      }
      hunks.push({ type: "add", path, contents: body.map((l) => `${l}\n`).join("") });
    } else if (deleted !== null) {
      hunks.push({ type: "delete", path: pathOf(deleted, DELETE, lineNo) });
      i++;
    } else if (updated !== null) {
      const path = pathOf(updated, UPDATE, lineNo);
      i++;
      let movePath: string | null = null;
      const moved = after((lines[i] ?? "").trim(), MOVE);
      if (i < last && moved !== null) {
        movePath = pathOf(moved, MOVE, i + 1);
        i++;
      }
      const parsed = parseChunks(lines, i, last, path);
      i = parsed.next;
      if (parsed.chunks.length === 0) fail(`update hunk for '${path}' is empty`);
      hunks.push({ type: "update", path, movePath, chunks: parsed.chunks });
    } else {
      fail(
        `line ${lineNo}: expected a hunk header ('${ADD}', '${DELETE}' or '${UPDATE}'), ` +
          `got '${raw}'`,
      );
    }
  }
  if (hunks.length === 0) fail("no files to change");
  return hunks;
}

/** Reads the `@@` chunks of one update section, from line index `start` up to `end`. */
function parseChunks(
  lines: string[],
  start: number,
  end: number,
  path: string,
): { chunks: UpdateChunk[]; next: number } {
  const chunks: UpdateChunk[] = [];
  let current: UpdateChunk | null = null;
  let currentStart = start;
  const close = () => {
    if (current && current.oldLines.length === 0 && current.newLines.length === 0) {
      fail(`line ${currentStart + 1}: chunk in update hunk for '${path}' has no lines`);
    }
    if (current) chunks.push(current);
    current = null;
  };
  let i = start;
  for (; i < end; i++) {
    const line = lines[i] ?? "";
    const trimmed = line.trim();
    if (trimmed === "@@" || line.startsWith("@@ ")) {
      close();
      const context = trimmed === "@@" ? null : line.slice(3);
      current = { context, oldLines: [], newLines: [], isEndOfFile: false };
      currentStart = i;
      continue;
    }
    if (trimmed === EOF_MARKER) {
      if (!current) fail(`line ${i + 1}: '${EOF_MARKER}' must follow the lines of a chunk`);
      (current as UpdateChunk).isEndOfFile = true;
      close();
      continue;
    }
    if (line.startsWith("***") && isSectionBoundary(trimmed)) break;
    const marker = line[0];
    if (marker !== undefined && marker !== " " && marker !== "+" && marker !== "-") {
      fail(
        `line ${i + 1}: unexpected line in update hunk for '${path}': '${line}' ` +
          `(lines must start with ' ', '+', '-' or '@@')`,
      );
    }
    if (!current) {
      // The first chunk of a section may leave out its `@@` line.
      current = { context: null, oldLines: [], newLines: [], isEndOfFile: false };
      currentStart = i;
    }
    const chunk: UpdateChunk = current;
    const body = line.slice(1);
    if (marker === undefined || marker === " ") {
      chunk.oldLines.push(body);
      chunk.newLines.push(body);
    } else if (marker === "-") {
      chunk.oldLines.push(body);
    } else {
      chunk.newLines.push(body);
    }
  }
  close();
  return { chunks, next: i };
}

/** The invocation forms accepted in front of a heredoc or quoted patch. */
const TOOL_NAMES = new Set(["apply_patch", "applypatch"]);

/** Reads one shell word at the start of `s` (bare, 'single' or "double" quoted, no escapes). */
function readWord(s: string): { word: string; rest: string } | null {
  const m = /^(?:'([^']*)'|"([^"\\$`]*)"|([^\s'"\\$`;&|<>()]+))/.exec(s);
  if (!m) return null;
  return { word: m[1] ?? m[2] ?? m[3] ?? "", rest: s.slice(m[0].length) };
}

/**
 * Recognises a shell script whose only effect is running `apply_patch` (or `applypatch`)
 * with a heredoc or single-quoted patch, optionally after `cd <dir> &&`, so the shell tool
 * can route it through the patch machinery. Returns null for anything else.
 */
export function extractPatchFromShell(script: string): { patch: string; cd: string | null } | null {
  let rest = script.trim();
  let cd: string | null = null;
  const cdMatch = /^cd\s+/.exec(rest);
  if (cdMatch) {
    const word = readWord(rest.slice(cdMatch[0].length));
    if (!word) return null;
    const amp = /^\s*&&\s*/.exec(word.rest);
    if (!amp || word.word === "") return null;
    cd = word.word;
    rest = word.rest.slice(amp[0].length);
  }
  const name = /^([A-Za-z_]+)(?=\s)/.exec(rest);
  if (!name || !TOOL_NAMES.has(name[1] ?? "")) return null;
  rest = rest.slice(name[0].length).replace(/^[ \t]+/, "");

  const heredoc =
    /^<<\s*(?:'([A-Za-z_][A-Za-z0-9_]*)'|"([A-Za-z_][A-Za-z0-9_]*)"|([A-Za-z_][A-Za-z0-9_]*))[ \t]*\r?\n/
      .exec(rest);
  if (heredoc) {
    const delimiter = heredoc[1] ?? heredoc[2] ?? heredoc[3] ?? "";
    const lines = rest.slice(heredoc[0].length).split(/\r?\n/);
    const end = lines.findIndex((l) => l === delimiter);
    if (end < 0) return null;
    if (lines.slice(end + 1).some((l) => l.trim() !== "")) return null;
    return { patch: lines.slice(0, end).join("\n"), cd };
  }
  const quoted = /^'([^']*)'$/.exec(rest);
  if (quoted) return { patch: quoted[1] ?? "", cd };
  return null;
}
