/**
 * The parts every kind of turn shares (a normal turn, a compaction turn): becoming active,
 * accounting token usage, and ending `completed`, `interrupted` or `failed` with the same
 * events and rollout records, so each kind reads back from a rollout the same way.
 *
 * @module
 */

import { ModelError } from "../model/errors.ts";
import type { ThreadTokenUsage, TokenUsageBreakdown } from "../../protocol/schema/notifications.ts";
import type { RateLimitSnapshot } from "../../protocol/schema/account.ts";
import { diskRateLimits, emptyRateLimits } from "../model/rate_limits.ts";
import type { Turn, TurnError } from "../../protocol/schema/thread.ts";
import { type LiveThread, modelContextWindow } from "./thread.ts";
import type { TurnHost } from "./turn_runner.ts";

type Json = Record<string, unknown>;

/** Appends one record; a failed write is the writer's to report, never the turn's. */
export function appendRecord(
  thread: LiveThread,
  type: "response_item" | "event_msg" | "turn_context" | "compacted",
  payload: Json,
): void {
  thread.writer.append({ type, payload }).catch(() => {});
}

/** `a + b`, field by field; a missing `a` counts as zero. */
export function addUsage(
  a: TokenUsageBreakdown | null,
  b: TokenUsageBreakdown,
): TokenUsageBreakdown {
  return {
    inputTokens: (a?.inputTokens ?? 0) + b.inputTokens,
    cachedInputTokens: (a?.cachedInputTokens ?? 0) + b.cachedInputTokens,
    outputTokens: (a?.outputTokens ?? 0) + b.outputTokens,
    reasoningOutputTokens: (a?.reasoningOutputTokens ?? 0) + b.reasoningOutputTokens,
    totalTokens: (a?.totalTokens ?? 0) + b.totalTokens,
  };
}

/** Usage in the rollout's (and the legacy events') snake_case form. */
export function diskUsage(u: TokenUsageBreakdown): Json {
  return {
    input_tokens: u.inputTokens,
    cached_input_tokens: u.cachedInputTokens,
    output_tokens: u.outputTokens,
    reasoning_output_tokens: u.reasoningOutputTokens,
    total_tokens: u.totalTokens,
  };
}

/**
 * Adds one response's usage to the thread's total, reports it, and records `token_count`.
 * `measuresContext` says whether the response saw the thread's whole context (a normal model
 * call) and so tells how full the context is; a summarising call does not.
 */
export function recordUsage(
  host: TurnHost,
  thread: LiveThread,
  turnId: string,
  last: TokenUsageBreakdown,
  measuresContext: boolean,
): void {
  const total = addUsage(thread.totalUsage, last);
  const window = modelContextWindow(thread.settings);
  thread.totalUsage = total;
  if (measuresContext) thread.lastUsage = last;
  tokenCount(host, thread, turnId, { total, last, modelContextWindow: window });
}

/**
 * Takes the rate limits of a model response that just started (from its headers). Like the
 * reference's token-count event at request start, it also repeats the usage so far (none on
 * a thread's first call).
 */
export function recordRateLimits(
  host: TurnHost,
  thread: LiveThread,
  turnId: string,
  snapshot: RateLimitSnapshot,
): void {
  thread.rateLimits = snapshot;
  const total = thread.totalUsage;
  const usage = total
    ? {
      total,
      last: thread.lastUsage ?? total,
      modelContextWindow: modelContextWindow(thread.settings),
    }
    : null;
  tokenCount(host, thread, turnId, usage);
}

/** One token count: reported (usage, then rate limits) and recorded in the rollout. */
function tokenCount(
  host: TurnHost,
  thread: LiveThread,
  turnId: string,
  usage: ThreadTokenUsage | null,
): void {
  const rateLimits = thread.rateLimits ?? emptyRateLimits();
  host.emit({ kind: "tokenCount", threadId: thread.id, turnId, tokenUsage: usage, rateLimits });
  appendRecord(thread, "event_msg", {
    type: "token_count",
    info: usage ? diskTokenInfo(usage) : null,
    rate_limits: diskRateLimits(rateLimits),
  });
}

/** Usage as the rollout's and the legacy events' `info`. */
export function diskTokenInfo(u: ThreadTokenUsage): Json {
  return {
    total_token_usage: diskUsage(u.total),
    last_token_usage: diskUsage(u.last),
    model_context_window: u.modelContextWindow ?? null,
  };
}

/** Marks the thread running (status `active`) and the active turn visible to snapshots. */
export function beginTurn(host: TurnHost, thread: LiveThread, turn: Turn): void {
  const active = thread.active;
  if (active) active.started = true;
  thread.status.running = true;
  thread.status.systemError = false;
  host.refreshStatus(thread);
  thread.turnCount++;
  appendRecord(thread, "event_msg", {
    type: "task_started",
    turn_id: turn.id,
    model_context_window: modelContextWindow(thread.settings),
  });
}

/**
 * Ends a turn: `completed` when `failure` is undefined, `interrupted` when the turn was
 * aborted, else `failed` with the error (status `systemError` before the `error` event, as
 * in §4.2). Then the records are flushed and `turnCompleted` is emitted with the turn's items.
 */
export async function finishTurn(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  outcome: { failure?: unknown; signal: AbortSignal; onStopped: () => void },
  lastAgentMessage: string | null,
): Promise<void> {
  const complete = () =>
    appendRecord(thread, "event_msg", {
      type: "task_complete",
      turn_id: turn.id,
      last_agent_message: lastAgentMessage,
    });
  thread.status.running = false;
  if (!("failure" in outcome)) {
    complete();
    turn.status = "completed";
    host.refreshStatus(thread);
  } else if (outcome.signal.aborted) {
    appendRecord(thread, "event_msg", {
      type: "turn_aborted",
      turn_id: turn.id,
      reason: "interrupted",
    });
    turn.status = "interrupted";
    outcome.onStopped();
    // The interrupt reply goes out first (§5.6); the end of the turn follows it.
    await new Promise((r) => setTimeout(r, 0));
    host.refreshStatus(thread);
  } else {
    const e = outcome.failure;
    const error: TurnError = e instanceof ModelError ? e.toTurnError() : {
      message: e instanceof Error ? e.message : String(e),
      codexErrorInfo: "other",
      additionalDetails: null,
    };
    thread.status.systemError = true;
    host.refreshStatus(thread);
    host.emit({ kind: "error", threadId: thread.id, turnId: turn.id, error, willRetry: false });
    appendRecord(thread, "event_msg", {
      type: "error",
      message: error.message,
      codex_error_info: error.codexErrorInfo ?? null,
    });
    complete();
    turn.status = "failed";
    turn.error = error;
  }
  await thread.writer.flush().catch(() => {});
  const final: Turn = { ...turn, items: [...turn.items] };
  // Recorded in the same step as the event, so a resume snapshot never shows the turn both
  // finished and still running.
  thread.turns.push(final);
  if (thread.active) thread.active.started = false;
  host.emit({ kind: "turnCompleted", threadId: thread.id, turn: final });
}
