/**
 * The thread index's table layout and the mapping between its rows and `ThreadSummary`.
 * Bump `SCHEMA_VERSION` on any change: an index with another version is simply rebuilt.
 *
 * @module
 */

import type { SessionSource } from "../../protocol/schema/thread.ts";
import type { ThreadSourceKind } from "../../protocol/schema/thread_methods.ts";
import { normalizeCwd } from "./thread_list_query.ts";
import type { ThreadSummary } from "./thread_summary.ts";

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS threads (
  id TEXT PRIMARY KEY,
  rollout_path TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  source_kind TEXT NOT NULL,
  source_json TEXT NOT NULL,
  model_provider TEXT NOT NULL,
  cwd TEXT NOT NULL,
  cwd_key TEXT NOT NULL,
  name TEXT,
  preview TEXT NOT NULL,
  has_user_message INTEGER NOT NULL,
  archived INTEGER NOT NULL,
  cli_version TEXT NOT NULL,
  git_sha TEXT,
  git_branch TEXT,
  git_origin_url TEXT,
  agent_nickname TEXT,
  agent_role TEXT,
  forked_from_id TEXT,
  file_mtime_ms INTEGER NOT NULL DEFAULT 0,
  file_size INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS threads_by_created ON threads (archived, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS threads_by_updated ON threads (archived, updated_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Columns read back into a summary. */
export const COLUMNS = "id, rollout_path, created_at, updated_at, source_kind, source_json, " +
  "model_provider, cwd, name, preview, has_user_message, archived, cli_version, git_sha, " +
  "git_branch, git_origin_url, agent_nickname, agent_role, forked_from_id";

type SqlValue = string | number | null;

/**
 * Row values for an upsert. `file` records what the rollout looked like when it was read, so
 * a later reconcile can tell that it changed; live updates without it store 0 (re-read once).
 */
export function rowFromSummary(
  s: ThreadSummary,
  file?: { mtimeMs: number; size: number },
): Record<string, SqlValue> {
  return {
    id: s.id.toLowerCase(),
    rollout_path: s.rolloutPath,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    source_kind: s.sourceKind,
    source_json: JSON.stringify(s.source),
    model_provider: s.modelProvider,
    cwd: s.cwd,
    cwd_key: normalizeCwd(s.cwd),
    name: s.name,
    preview: s.preview,
    has_user_message: s.hasUserMessage ? 1 : 0,
    archived: s.archived ? 1 : 0,
    cli_version: s.cliVersion,
    git_sha: s.gitInfo?.sha ?? null,
    git_branch: s.gitInfo?.branch ?? null,
    git_origin_url: s.gitInfo?.originUrl ?? null,
    agent_nickname: s.agentNickname,
    agent_role: s.agentRole,
    forked_from_id: s.forkedFromId,
    file_mtime_ms: file?.mtimeMs ?? 0,
    file_size: file?.size ?? 0,
  };
}

function strOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** A stored row back as a summary. */
export function summaryFromRow(row: Record<string, unknown>): ThreadSummary {
  const sha = strOrNull(row.git_sha);
  const branch = strOrNull(row.git_branch);
  const originUrl = strOrNull(row.git_origin_url);
  let source: SessionSource = "unknown";
  try {
    source = JSON.parse(String(row.source_json)) as SessionSource;
  } catch { /* keep unknown */ }
  return {
    id: String(row.id),
    rolloutPath: String(row.rollout_path),
    archived: Number(row.archived) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    source,
    sourceKind: String(row.source_kind) as ThreadSourceKind,
    modelProvider: String(row.model_provider),
    cwd: String(row.cwd),
    cliVersion: String(row.cli_version),
    preview: String(row.preview),
    hasUserMessage: Number(row.has_user_message) === 1,
    gitInfo: sha === null && branch === null && originUrl === null
      ? null
      : { sha, branch, originUrl },
    agentNickname: strOrNull(row.agent_nickname),
    agentRole: strOrNull(row.agent_role),
    forkedFromId: strOrNull(row.forked_from_id),
    name: strOrNull(row.name),
  };
}
