/**
 * `thread/list` semantics as observed on Codex 0.105, turned into one SQL query over the
 * thread index: limit clamping, keyset cursors, sort keys and filters. Kept apart from the
 * database code so the rules can be read (and tested) in one place.
 *
 * Observed rules this encodes:
 * - limit: absent → 25, above 100 → 100, 0 → 1; `nextCursor` only when more rows follow.
 * - cursor `"<RFC 3339>|<uuid>"` names the last item of the previous page. Any RFC 3339 time
 *   is accepted (fractions are truncated to seconds, offsets applied); the id must be a UUID
 *   in any spelling. Anything else is `invalid cursor: <value>`.
 * - order: the sort key descending, then id descending (ties within a second).
 * - only threads with a user message; `archived: true` lists only archived ones.
 * - `sourceKinds` absent or empty → `cli` and `vscode`; `subAgent` covers every sub-agent kind.
 * - `cwd` compares lexically normalised paths (`/a/./b/` equals `/a/b`; symlinks are not
 *   resolved), and an empty or relative filter matches nothing.
 * - `searchTerm` is a case-sensitive substring of the preview (the reference's "title" is
 *   the first user message; names set through `thread/name/set` are not searched).
 *
 * @module
 */

import { posix } from "node:path";
import type { ThreadListParams, ThreadSourceKind } from "../../protocol/schema/thread_methods.ts";
import { parseUuid } from "./thread_id.ts";

export const DEFAULT_LIST_LIMIT = 25;
export const MAX_LIST_LIMIT = 100;

/** Sources listed when the client names none: the interactive ones. */
export const INTERACTIVE_SOURCE_KINDS: readonly ThreadSourceKind[] = ["cli", "vscode"];

const SUB_AGENT_KINDS: readonly ThreadSourceKind[] = [
  "subAgentReview",
  "subAgentCompact",
  "subAgentThreadSpawn",
  "subAgentOther",
];

/** A malformed `cursor`; the handler answers `-32600` with this message. */
export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`invalid cursor: ${cursor}`);
    this.name = "InvalidCursorError";
  }
}

/** A decoded cursor: the sort key in unix seconds and the thread id. */
export interface ListCursor {
  seconds: number;
  id: string;
}

/** `2026-11-22T01:39:01Z|<id>`, the reference's spelling. */
export function encodeCursor(seconds: number, id: string): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z|${id}`;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339Seconds(text: string): number | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, , zone] = m;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
  const check = new Date(base);
  // Reject dates that Date.UTC silently rolls over (Feb 30, hour 25, …).
  if (
    check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! ||
    check.getUTCHours() !== +h! || check.getUTCMinutes() !== +mi! || +s! > 59
  ) return null;
  let offsetMin = 0;
  if (zone !== "Z" && zone !== "z") {
    const sign = zone!.startsWith("-") ? -1 : 1;
    offsetMin = sign * (+zone!.slice(1, 3) * 60 + +zone!.slice(4, 6));
  }
  return base / 1000 - offsetMin * 60;
}

/** Parses a cursor or throws `InvalidCursorError`. */
export function decodeCursor(cursor: string): ListCursor {
  const bar = cursor.indexOf("|");
  if (bar < 0) throw new InvalidCursorError(cursor);
  const seconds = parseRfc3339Seconds(cursor.slice(0, bar));
  const id = parseUuid(cursor.slice(bar + 1));
  if (seconds === null || id === null) throw new InvalidCursorError(cursor);
  return { seconds, id };
}

/** Applies the default, the maximum, and `0 → 1`. */
export function clampLimit(limit: number | null | undefined): number {
  if (limit === null || limit === undefined) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}

/** The stored kinds a `sourceKinds` filter selects. */
export function expandSourceKinds(
  kinds: readonly ThreadSourceKind[] | null | undefined,
): ThreadSourceKind[] {
  if (!kinds || kinds.length === 0) return [...INTERACTIVE_SOURCE_KINDS];
  const out = new Set<ThreadSourceKind>();
  for (const kind of kinds) {
    if (kind === "subAgent") SUB_AGENT_KINDS.forEach((k) => out.add(k));
    else out.add(kind);
  }
  return [...out];
}

/** Lexical normalisation used on both sides of the `cwd` filter. */
export function normalizeCwd(cwd: string): string {
  if (cwd === "") return "";
  const normalized = posix.normalize(cwd);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** A ready-to-run list query. */
export interface ListQuery {
  sql: string;
  args: (string | number)[];
  limit: number;
  sortColumn: "created_at" | "updated_at";
}

export interface ListQueryOptions {
  /** Also match `searchTerm` against thread names (not what 0.105 does). */
  searchNames?: boolean;
}

/**
 * Builds the SELECT for one page. Fetches `limit + 1` rows: the extra row only tells whether
 * a next page exists. Throws `InvalidCursorError`.
 */
export function buildListQuery(
  params: ThreadListParams,
  columns: string,
  options: ListQueryOptions = {},
): ListQuery {
  const limit = clampLimit(params.limit);
  const sortColumn = params.sortKey === "updated_at" ? "updated_at" : "created_at";
  const where = ["has_user_message = 1", "archived = ?"];
  const args: (string | number)[] = [params.archived ? 1 : 0];

  const kinds = expandSourceKinds(params.sourceKinds);
  where.push(`source_kind IN (${kinds.map(() => "?").join(", ")})`);
  args.push(...kinds);

  const providers = params.modelProviders ?? [];
  if (providers.length > 0) {
    where.push(`model_provider IN (${providers.map(() => "?").join(", ")})`);
    args.push(...providers);
  }
  if (params.cwd !== null && params.cwd !== undefined) {
    const key = normalizeCwd(params.cwd);
    if (!key.startsWith("/")) where.push("0");
    else {
      where.push("cwd_key = ?");
      args.push(key);
    }
  }
  if (params.searchTerm !== null && params.searchTerm !== undefined) {
    if (options.searchNames) {
      where.push("(instr(preview, ?) > 0 OR instr(coalesce(name, ''), ?) > 0)");
      args.push(params.searchTerm, params.searchTerm);
    } else {
      where.push("instr(preview, ?) > 0");
      args.push(params.searchTerm);
    }
  }
  if (params.cursor !== null && params.cursor !== undefined) {
    const cursor = decodeCursor(params.cursor);
    where.push(`(${sortColumn} < ? OR (${sortColumn} = ? AND id < ?))`);
    args.push(cursor.seconds, cursor.seconds, cursor.id);
  }
  const sql = `SELECT ${columns} FROM threads WHERE ${where.join(" AND ")} ` +
    `ORDER BY ${sortColumn} DESC, id DESC LIMIT ?`;
  args.push(limit + 1);
  return { sql, args, limit, sortColumn };
}
