/**
 * Turns parsed patch hunks into concrete file changes (`planPatch`, read-only, so approval
 * can be asked before anything is written) and then performs them (`applyPlan`).
 *
 * @module
 */

import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { PatchHunk, UpdateChunk } from "./parser.ts";
import { unifiedDiff } from "./unified_diff.ts";

/** What happens to one file; `move_path` (absolute) is set when an update also renames. */
export type ChangeKind =
  | { type: "add" }
  | { type: "delete" }
  | { type: "update"; move_path: string | null };

/** One file change, computed up front so it can be shown and approved before it is made. */
export interface PlannedChange {
  /** Absolute path (resolved against the patch's cwd). */
  path: string;
  kind: ChangeKind;
  /** Add: the new content; delete: the old content; update: a unified diff. */
  diff: string;
  /** Content before the change, or null when the file did not exist. */
  oldContent: string | null;
  /** Content after the change, or null for a delete. */
  newContent: string | null;
}

/** A patch that does not fit the files on disk, or a write that failed; shown to the model. */
export class PatchApplyError extends Error {
  override name = "PatchApplyError";
}

function osReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "No such file or directory";
  if (error instanceof Deno.errors.IsADirectory) return "Is a directory";
  if (error instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (error instanceof Deno.errors.NotADirectory) return "Not a directory";
  return error instanceof Error ? error.message : String(error);
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Unicode punctuation models and editors swap for ASCII look-alikes. */
const PUNCTUATION: Record<string, string> = {
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2015": "-",
  "\u2212": "-",
  "\u2018": "'",
  "\u2019": "'",
  "\u201A": "'",
  "\u201B": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u201E": '"',
  "\u201F": '"',
  "\u00A0": " ",
  "\u2002": " ",
  "\u2003": " ",
  "\u2004": " ",
  "\u2005": " ",
  "\u2006": " ",
  "\u2007": " ",
  "\u2008": " ",
  "\u2009": " ",
  "\u200A": " ",
  "\u202F": " ",
  "\u205F": " ",
  "\u3000": " ",
};
const PUNCTUATION_RE = new RegExp(`[${Object.keys(PUNCTUATION).join("")}]`, "g");

/** Match passes from strict to lenient; the first pass that finds the lines wins. */
const NORMALIZERS: ((s: string) => string)[] = [
  (s) => s,
  (s) => s.trimEnd(),
  (s) => s.trim(),
  (s) => s.replace(PUNCTUATION_RE, (c) => PUNCTUATION[c] ?? c).trim(),
];

function matchesAt(lines: string[], pattern: string[], at: number, norm: (s: string) => string) {
  for (let k = 0; k < pattern.length; k++) {
    if (norm(lines[at + k]!) !== norm(pattern[k]!)) return false;
  }
  return true;
}

/** Index where `pattern` occurs in `lines` at or after `start`, or -1. */
function seekSequence(lines: string[], pattern: string[], start: number, eof: boolean): number {
  if (pattern.length === 0) return start;
  const lastStart = lines.length - pattern.length;
  if (lastStart < start) return -1;
  if (eof) {
    for (const norm of NORMALIZERS) {
      if (matchesAt(lines, pattern, lastStart, norm)) return lastStart;
    }
  }
  for (const norm of NORMALIZERS) {
    for (let at = start; at <= lastStart; at++) {
      if (matchesAt(lines, pattern, at, norm)) return at;
    }
  }
  return -1;
}

/** Applies the chunks of one update to `content`; throws `PatchApplyError` when they miss. */
function applyChunks(content: string, chunks: UpdateChunk[], displayPath: string): string {
  const crlf = content.includes("\r\n") && !/(^|[^\r])\n/.test(content);
  const eol = crlf ? "\r\n" : "\n";
  const lines = content.split(eol);
  if (lines[lines.length - 1] === "") lines.pop();
  const edits: { at: number; remove: number; insert: string[] }[] = [];
  let cursor = 0;
  for (const chunk of chunks) {
    if (chunk.context !== null) {
      const at = seekSequence(lines, [chunk.context], cursor, false);
      if (at < 0) {
        throw new PatchApplyError(`Failed to find context '${chunk.context}' in ${displayPath}`);
      }
      cursor = at + 1;
    }
    if (chunk.oldLines.length === 0) {
      const at = chunk.context === null ? lines.length : cursor;
      edits.push({ at, remove: 0, insert: chunk.newLines });
      continue;
    }
    let oldLines = chunk.oldLines;
    let newLines = chunk.newLines;
    let at = seekSequence(lines, oldLines, cursor, chunk.isEndOfFile);
    if (at < 0 && oldLines[oldLines.length - 1] === "") {
      // A trailing empty line often stands for the file's final newline; retry without it.
      oldLines = oldLines.slice(0, -1);
      if (newLines[newLines.length - 1] === "") newLines = newLines.slice(0, -1);
      at = seekSequence(lines, oldLines, cursor, chunk.isEndOfFile);
    }
    if (at < 0) {
      throw new PatchApplyError(
        `Failed to find expected lines in ${displayPath}:\n${chunk.oldLines.join("\n")}`,
      );
    }
    edits.push({ at, remove: oldLines.length, insert: newLines });
    cursor = at + oldLines.length;
  }
  edits.sort((x, y) => x.at - y.at);
  for (let k = edits.length - 1; k >= 0; k--) {
    const edit = edits[k]!;
    lines.splice(edit.at, edit.remove, ...edit.insert);
  }
  return lines.length === 0 ? "" : lines.join(eol) + eol;
}

/**
 * Computes every file change of a patch without writing anything. Hunks on the same file
 * see the results of earlier hunks, so applying the plan in order gives the final state.
 */
export async function planPatch(hunks: PatchHunk[], cwd: string): Promise<PlannedChange[]> {
  // Contents as they will be after the changes planned so far (null = will not exist).
  const pending = new Map<string, string | null>();
  const current = async (abs: string): Promise<string | null> =>
    pending.has(abs) ? pending.get(abs)! : await readOrNull(abs);
  const mustRead = async (abs: string, shown: string): Promise<string> => {
    let content: string | null;
    try {
      content = await current(abs);
    } catch (error) {
      throw new PatchApplyError(`failed to read ${shown}: ${osReason(error)}`);
    }
    if (content === null) {
      throw new PatchApplyError(`failed to read ${shown}: No such file or directory`);
    }
    return content;
  };

  const changes: PlannedChange[] = [];
  for (const hunk of hunks) {
    const path = resolve(cwd, hunk.path);
    if (hunk.type === "add") {
      let oldContent: string | null;
      try {
        oldContent = await current(path);
      } catch {
        oldContent = null;
      }
      pending.set(path, hunk.contents);
      changes.push({
        path,
        kind: { type: "add" },
        diff: hunk.contents,
        oldContent,
        newContent: hunk.contents,
      });
    } else if (hunk.type === "delete") {
      const oldContent = await mustRead(path, hunk.path);
      pending.set(path, null);
      changes.push({
        path,
        kind: { type: "delete" },
        diff: oldContent,
        oldContent,
        newContent: null,
      });
    } else {
      const oldContent = await mustRead(path, hunk.path);
      const newContent = applyChunks(oldContent, hunk.chunks, hunk.path);
      const movePath = hunk.movePath === null ? null : resolve(cwd, hunk.movePath);
      if (movePath !== null && movePath !== path) pending.set(path, null);
      pending.set(movePath ?? path, newContent);
      changes.push({
        path,
        kind: { type: "update", move_path: movePath },
        diff: unifiedDiff(oldContent, newContent),
        oldContent,
        newContent,
      });
    }
  }
  return changes;
}

/** Replaces `path` by renaming a sibling temp file over it, keeping an existing file's mode. */
async function writeAtomic(path: string, content: string): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  let mode: number | null = null;
  try {
    mode = (await Deno.stat(path)).mode;
  } catch {
    mode = null;
  }
  const base = path.slice(dir.length + 1);
  const temp = `${dir}/.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(temp, content);
    if (mode !== null && Deno.build.os !== "windows") await Deno.chmod(temp, mode & 0o7777);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) return path;
  return rel;
}

/**
 * Performs the planned changes in order (atomic writes, deletes, moves) and returns the
 * summary the model sees. Stops at the first failure with a `PatchApplyError`.
 */
export async function applyPlan(changes: PlannedChange[], cwd: string): Promise<string> {
  for (const change of changes) {
    const shown = shownPath(change.path, cwd);
    const kind = change.kind;
    try {
      if (kind.type === "delete") {
        await Deno.remove(change.path);
      } else if (
        kind.type === "update" && kind.move_path !== null && kind.move_path !== change.path
      ) {
        await writeAtomic(kind.move_path, change.newContent ?? "");
        await Deno.remove(change.path);
      } else {
        await writeAtomic(change.path, change.newContent ?? "");
      }
    } catch (error) {
      const verb = kind.type === "delete" ? "delete" : "write";
      throw new PatchApplyError(`failed to ${verb} ${shown}: ${osReason(error)}`);
    }
  }
  return patchSummary(changes, cwd);
}

/** The model-facing success text: `A`/`M`/`D` lines, paths relative to `cwd` when inside it. */
export function patchSummary(changes: PlannedChange[], cwd: string): string {
  const groups: Record<"A" | "M" | "D", string[]> = { A: [], M: [], D: [] };
  for (const change of changes) {
    const kind = change.kind;
    const letter = kind.type === "add" ? "A" : kind.type === "delete" ? "D" : "M";
    const target = kind.type === "update" && kind.move_path !== null ? kind.move_path : change.path;
    const shown = shownPath(target, cwd);
    if (!groups[letter].includes(shown)) groups[letter].push(shown);
  }
  const lines = (["A", "M", "D"] as const).flatMap((l) => groups[l].map((p) => `${l} ${p}\n`));
  return `Success. Updated the following files:\n${lines.join("")}`;
}
