/**
 * What the thread index and `thread/list` need to know about one rollout, derived from its
 * `session_meta`, its first user message and the file's mtime, and its conversion to the wire
 * `Thread` object.
 *
 * @module
 */

import type { GitInfo, SessionSource, Thread, ThreadStatus } from "../../protocol/schema/thread.ts";
import type { ThreadSourceKind } from "../../protocol/schema/thread_methods.ts";
import {
  gitInfoFromDisk,
  isUserMessageEvent,
  parseRolloutFileName,
  type SessionMetaPayload,
  sourceFromDisk,
  sourceKindOf,
} from "./rollout_format.ts";
import { iterateRolloutLines } from "./rollout_reader.ts";
import { basename } from "node:path";

/** One thread as the index stores it. Times are unix seconds. */
export interface ThreadSummary {
  id: string;
  rolloutPath: string;
  archived: boolean;
  createdAt: number;
  /** The rollout's mtime, in whole seconds (what the reference reports). */
  updatedAt: number;
  source: SessionSource;
  sourceKind: ThreadSourceKind;
  modelProvider: string;
  cwd: string;
  cliVersion: string;
  /** Text of the first user message; `""` until there is one. */
  preview: string;
  hasUserMessage: boolean;
  gitInfo: GitInfo | null;
  agentNickname: string | null;
  agentRole: string | null;
  forkedFromId: string | null;
  /** From `session_index.jsonl`; `null` when never named. */
  name: string | null;
}

export interface SummarizeOptions {
  /** Whether the file lives in `archived_sessions/`. */
  archived?: boolean;
  /** Provider reported for old rollouts whose `session_meta` has none. */
  defaultModelProvider?: string;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** Unix seconds of an RFC 3339 string, or `null`. */
export function rfc3339ToSeconds(text: unknown): number | null {
  if (typeof text !== "string") return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/**
 * Builds the summary from a `session_meta` payload (and optionally the first user message).
 * Used by the reader below and by live code that already holds the meta in memory.
 */
export function summaryFromMeta(
  meta: SessionMetaPayload,
  rolloutPath: string,
  fields: {
    updatedAt: number;
    preview?: string | null;
    archived?: boolean;
    defaultModelProvider?: string;
  },
): ThreadSummary {
  const source = sourceFromDisk(meta.source);
  const spawn = typeof source === "object" && typeof source.subAgent === "object" &&
      "thread_spawn" in source.subAgent
    ? source.subAgent.thread_spawn
    : null;
  const fromName = parseRolloutFileName(basename(rolloutPath));
  const createdAt = rfc3339ToSeconds(meta.timestamp) ??
    (fromName ? Math.floor(fromName.createdAt.getTime() / 1000) : fields.updatedAt);
  const preview = fields.preview ?? null;
  return {
    id: String(meta.id).toLowerCase(),
    rolloutPath,
    archived: fields.archived ?? false,
    createdAt,
    updatedAt: fields.updatedAt,
    source,
    sourceKind: sourceKindOf(source),
    modelProvider: str(meta.model_provider) ?? fields.defaultModelProvider ?? "openai",
    cwd: str(meta.cwd) ?? "",
    cliVersion: str(meta.cli_version) ?? "",
    preview: preview ?? "",
    hasUserMessage: preview !== null,
    gitInfo: gitInfoFromDisk(meta.git),
    agentNickname: str(meta.agent_nickname) ?? spawn?.agent_nickname ?? null,
    agentRole: str(meta.agent_role) ?? spawn?.agent_role ?? null,
    forkedFromId: str(meta.forked_from_id),
    name: null,
  };
}

/**
 * Summarises a rollout file, reading only up to its first user message. Returns `null` when
 * the file has no readable `session_meta` (it cannot be listed or resumed).
 */
export async function summarizeRollout(
  path: string,
  options: SummarizeOptions = {},
): Promise<ThreadSummary | null> {
  const stat = await Deno.stat(path);
  const updatedAt = Math.floor((stat.mtime?.getTime() ?? Date.now()) / 1000);
  let meta: SessionMetaPayload | null = null;
  let preview: string | null = null;
  for await (const item of iterateRolloutLines(path)) {
    if ("skipped" in item) continue;
    const { type, payload } = item.record;
    if (meta === null) {
      if (type === "session_meta") meta = payload as SessionMetaPayload;
      continue;
    }
    if (isUserMessageEvent(type, payload)) {
      preview = str(payload.message) ?? "";
      break;
    }
  }
  if (meta === null || typeof meta.id !== "string") return null;
  return summaryFromMeta(meta, path, { ...options, updatedAt, preview });
}

/** The wire `Thread` for a summary; `turns` is empty, as everywhere outside read/resume/fork. */
export function toWireThread(summary: ThreadSummary, status: ThreadStatus): Thread {
  return {
    id: summary.id,
    preview: summary.preview,
    modelProvider: summary.modelProvider,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
    status,
    path: summary.rolloutPath,
    cwd: summary.cwd,
    cliVersion: summary.cliVersion,
    source: summary.source,
    agentNickname: summary.agentNickname,
    agentRole: summary.agentRole,
    gitInfo: summary.gitInfo,
    name: summary.name,
    // 0.169 fields: no session trees (sub-agents) or projects yet, and every thread is
    // persisted, so each thread is its own session, unassigned and not ephemeral.
    sessionId: summary.id,
    ephemeral: false,
    forkedFromId: summary.forkedFromId,
    projectId: null,
    turns: [],
  };
}
