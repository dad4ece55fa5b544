/**
 * The on-disk rollout format shared with Codex 0.105: where files live, how they are named,
 * the line envelope, and the conversions between the on-disk (snake case) shapes and the wire
 * shapes. Keeping every format decision here means the writer, reader, index and archive code
 * can never disagree about a file name or a source spelling.
 *
 * @module
 */

import { join } from "node:path";
import type { GitInfo, SessionSource, SubAgentSource } from "../../protocol/schema/thread.ts";
import type { ThreadSourceKind } from "../../protocol/schema/thread_methods.ts";

/** Record types a rollout line may carry. Unknown types are kept by the reader, untouched. */
export type RolloutRecordType =
  | "session_meta"
  | "response_item"
  | "event_msg"
  | "turn_context"
  | "compacted";

/** One line of a rollout file. */
export interface RolloutRecord {
  /** RFC 3339 UTC with milliseconds, when the line was produced. */
  timestamp: string;
  type: RolloutRecordType | string;
  payload: Record<string, unknown>;
}

/** A record before it is stamped; the writer adds the timestamp. */
export interface RolloutItem {
  type: RolloutRecordType;
  payload: Record<string, unknown>;
}

/** The on-disk `git` object of `session_meta` (all fields optional; `{}` outside a repo). */
export interface DiskGitInfo {
  commit_hash?: string | null;
  branch?: string | null;
  repository_url?: string | null;
}

/** The `session_meta` payload as written by Codex 0.105 (unknown extra fields are kept). */
export interface SessionMetaPayload {
  id: string;
  /** RFC 3339 UTC with milliseconds; the thread's creation time. */
  timestamp: string;
  cwd: string;
  originator: string;
  cli_version: string;
  /** Snake-case form: `"vscode"`, `"mcp"`, `{"subagent": {...}}`, … */
  source: unknown;
  model_provider?: string | null;
  base_instructions?: { text: string } | null;
  forked_from_id?: string | null;
  agent_nickname?: string | null;
  agent_role?: string | null;
  dynamic_tools?: unknown[] | null;
  git?: DiskGitInfo | null;
  [extra: string]: unknown;
}

/** Folder of live rollouts, below `CODEX_HOME`. */
export const SESSIONS_DIR = "sessions";
/** Folder of archived rollouts (flat), below `CODEX_HOME`. */
export const ARCHIVED_SESSIONS_DIR = "archived_sessions";

/** RFC 3339 UTC with milliseconds, the timestamp spelling of every rollout line. */
export function formatRecordTimestamp(date: Date): string {
  return date.toISOString();
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * `rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl`. We use UTC (what the reference showed in a UTC
 * container; upstream uses local time), so a file name never depends on the host's zone.
 */
export function rolloutFileName(createdAt: Date, threadId: string): string {
  const d = createdAt;
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
  return `rollout-${stamp}-${threadId}.jsonl`;
}

/** `CODEX_HOME/sessions/YYYY/MM/DD` for the day of `date` (UTC). */
export function sessionsDayDir(codexHome: string, date: Date): string {
  return join(
    codexHome,
    SESSIONS_DIR,
    String(date.getUTCFullYear()),
    pad(date.getUTCMonth() + 1),
    pad(date.getUTCDate()),
  );
}

/** Absolute path of a new live rollout. */
export function rolloutPathFor(codexHome: string, createdAt: Date, threadId: string): string {
  return join(sessionsDayDir(codexHome, createdAt), rolloutFileName(createdAt, threadId));
}

const FILE_NAME =
  /^rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-([0-9a-fA-F-]{36})\.jsonl$/;

/** Splits a rollout file name into its timestamp (read as UTC) and thread id, or `null`. */
export function parseRolloutFileName(name: string): { createdAt: Date; threadId: string } | null {
  const m = FILE_NAME.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, id] = m;
  const createdAt = new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!));
  if (Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, threadId: id!.toLowerCase() };
}

// --- sources -------------------------------------------------------------------

function parseSubAgent(raw: unknown): SubAgentSource | null {
  if (raw === "review" || raw === "compact" || raw === "memory_consolidation") return raw;
  if (raw === null || typeof raw !== "object") return null;
  const obj = raw as Record<string, unknown>;
  const spawn = obj.thread_spawn;
  if (spawn && typeof spawn === "object") {
    const s = spawn as Record<string, unknown>;
    return {
      thread_spawn: {
        parent_thread_id: String(s.parent_thread_id ?? ""),
        depth: typeof s.depth === "number" ? s.depth : 0,
        agent_nickname: typeof s.agent_nickname === "string" ? s.agent_nickname : null,
        agent_role: typeof s.agent_role === "string" ? s.agent_role : null,
      },
    };
  }
  if (typeof obj.other === "string") return { other: obj.other };
  return null;
}

/**
 * On-disk source → wire `SessionSource`. The core spells the app-server source `mcp` and the
 * sub-agent key `subagent`; the v2 wire says `appServer` and `subAgent`. Anything we do not
 * recognise becomes `unknown` rather than failing the whole thread.
 */
export function sourceFromDisk(raw: unknown): SessionSource {
  switch (raw) {
    case "cli":
    case "vscode":
    case "exec":
    case "unknown":
      return raw;
    case "mcp":
    case "app_server":
    case "appServer":
      return "appServer";
  }
  if (raw !== null && typeof raw === "object") {
    const obj = raw as Record<string, unknown>;
    const inner = obj.subagent ?? obj.subAgent ?? obj.sub_agent;
    const sub = parseSubAgent(inner);
    if (sub !== null) return { subAgent: sub };
  }
  return "unknown";
}

/** Wire `SessionSource` → the on-disk spelling the reference writes. */
export function sourceToDisk(source: SessionSource): unknown {
  if (typeof source === "string") return source === "appServer" ? "mcp" : source;
  return { subagent: source.subAgent };
}

/**
 * The one `thread/list` kind a source belongs to. `memory_consolidation` (a later sub-agent
 * kind with no kind of its own in 0.105) counts as `subAgentOther`.
 */
export function sourceKindOf(source: SessionSource): ThreadSourceKind {
  if (typeof source === "string") return source;
  const sub = source.subAgent;
  if (sub === "review") return "subAgentReview";
  if (sub === "compact") return "subAgentCompact";
  if (typeof sub === "object" && "thread_spawn" in sub) return "subAgentThreadSpawn";
  return "subAgentOther";
}

/** On-disk git object → wire `GitInfo`; an empty object (no commit yet) becomes `null`. */
export function gitInfoFromDisk(raw: unknown): GitInfo | null {
  if (raw === null || typeof raw !== "object") return null;
  const g = raw as Record<string, unknown>;
  const str = (v: unknown) => typeof v === "string" ? v : null;
  const info = { sha: str(g.commit_hash), branch: str(g.branch), originUrl: str(g.repository_url) };
  return info.sha === null && info.branch === null && info.originUrl === null ? null : info;
}

/** Whether a record is the core's `user_message` event, the one that makes a thread real. */
export function isUserMessageEvent(type: string, payload: Record<string, unknown>): boolean {
  return type === "event_msg" && payload.type === "user_message";
}
