/**
 * Reads what a stored thread needs to be loaded again (`thread/resume`): the model context,
 * the turns a client is shown, and the settings its last turn ran with. The rollout stays the
 * only source, so threads written by an earlier process (or by the reference) resume alike.
 *
 * @module
 */

import type { RawItem } from "../model/events.ts";
import { readRollout } from "../rollout/rollout_reader.ts";
import type { RolloutRecord, SessionMetaPayload } from "../rollout/rollout_format.ts";
import type { TokenUsageBreakdown } from "../../protocol/schema/notifications.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import { buildTurns } from "./history.ts";
import { dropLastUserTurns } from "./rollback.ts";
import { LiveThread, type ThreadSettings } from "./thread.ts";
import { sentContextFrom } from "./turn_context.ts";
import type { RolloutWriter } from "../rollout/rollout_writer.ts";

type Json = Record<string, unknown>;

/** A stored thread, ready to become a live one. */
export interface StoredThreadState {
  path: string;
  meta: SessionMetaPayload;
  /** The model context, as the next request sends it. */
  history: RawItem[];
  turns: Turn[];
  firstUserMessage: string | null;
  totalUsage: TokenUsageBreakdown | null;
  /** The payload of the last `turn_context` record, if any. */
  lastTurnContext: Json | null;
}

/** Reads a rollout for loading; `null` when it has no `session_meta` (not a thread). */
export async function readStoredThread(path: string): Promise<StoredThreadState | null> {
  const contents = await readRollout(path);
  if (contents.meta === null) return null;
  return { path, meta: contents.meta, ...replay(contents.records) };
}

/**
 * Replays rollout records (after `session_meta`) into what a live thread starts from. Shared
 * by resume and fork, which copies the records of its source.
 */
export function replay(records: RolloutRecord[]): Omit<StoredThreadState, "path" | "meta"> {
  let history: RawItem[] = [];
  let firstUserMessage: string | null = null;
  let totalUsage: TokenUsageBreakdown | null = null;
  let lastTurnContext: Json | null = null;
  for (const record of records) {
    const p = record.payload;
    if (record.type === "response_item") {
      history.push(p as RawItem);
    } else if (record.type === "compacted" && Array.isArray(p.replacement_history)) {
      // A compaction replaces the context the model sees from then on.
      history = [...p.replacement_history] as RawItem[];
    } else if (record.type === "event_msg" && p.type === "thread_rolled_back") {
      // The model context forgets the turns, as it did live (see rollback.ts).
      history = dropLastUserTurns(history, typeof p.num_turns === "number" ? p.num_turns : 0);
    } else if (record.type === "turn_context") {
      lastTurnContext = p;
    } else if (record.type === "event_msg" && p.type === "user_message") {
      firstUserMessage ??= typeof p.message === "string" ? p.message : null;
    } else if (record.type === "event_msg" && p.type === "token_count") {
      totalUsage = usageOf((p.info as Json | null)?.total_token_usage) ?? totalUsage;
    }
  }
  return { history, turns: buildTurns(records), firstUserMessage, totalUsage, lastTurnContext };
}

function usageOf(raw: unknown): TokenUsageBreakdown | null {
  if (raw === null || typeof raw !== "object") return null;
  const u = raw as Json;
  const n = (v: unknown) => typeof v === "number" ? v : 0;
  return {
    inputTokens: n(u.input_tokens),
    cachedInputTokens: n(u.cached_input_tokens),
    outputTokens: n(u.output_tokens),
    reasoningOutputTokens: n(u.reasoning_output_tokens),
    totalTokens: n(u.total_tokens),
  };
}

/**
 * A live thread from a stored one: its model context, turns, preview, usage, and what
 * context the model has already seen (so it is not sent again unchanged).
 */
export function liveThreadFrom(
  stored: StoredThreadState,
  writer: RolloutWriter,
  settings: ThreadSettings,
): LiveThread {
  const thread = new LiveThread(stored.meta, writer, settings);
  thread.history.push(...stored.history);
  thread.turns.push(...stored.turns);
  thread.turnCount = stored.turns.length;
  thread.firstUserMessage = stored.firstUserMessage;
  thread.totalUsage = stored.totalUsage;
  thread.sentContext = sentContextFrom(thread.history, settings);
  return thread;
}
