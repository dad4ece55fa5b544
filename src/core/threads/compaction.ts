/**
 * Context compaction: a model call writes a handoff summary of the conversation, and the
 * model context is replaced by the synthetic context items, the most recent real user
 * messages and that summary. It runs as a turn of its own (`thread/compact/start`, §5.7 of
 * the reference notes) or inside a normal turn, before a model call, once the last response
 * reached `model_auto_compact_token_limit`.
 *
 * The rollout gets what Codex writes, so either implementation reads the thread back the same:
 * a `compacted` record whose `replacement_history` is the new context, and a
 * `context_compacted` event (the two make one `contextCompaction` item when turns are rebuilt).
 *
 * @module
 */

import type { RawItem } from "../model/events.ts";
import { buildResponsesRequest } from "../model/request.ts";
import { retryNotice, streamResponse } from "../model/responses_client.ts";
import type { ThreadItem } from "../../protocol/schema/items.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import type { LiveThread } from "./thread.ts";
import type { TurnHost } from "./turn_runner.ts";
import { isContextMessage } from "./turn_context.ts";
import {
  appendRecord,
  beginTurn,
  finishTurn,
  recordRateLimits,
  recordUsage,
} from "./turn_lifecycle.ts";

type Json = Record<string, unknown>;

/** Our summarisation request, sent as the last user message after the whole history. */
export const COMPACTION_PROMPT = [
  "Your context window is about to be replaced. Write a handoff summary of this conversation",
  "so that you, with only this summary and the user's own messages, can continue the work.",
  "Cover:",
  "- Goals: what the user wants overall, with the constraints and preferences they stated.",
  "- Decisions: what was decided or agreed, and why.",
  "- State: what has been done so far: files, commands, results, errors seen.",
  "- Open items: what remains to be done, open questions, and the very next step.",
  "Be specific (names, paths, values) and concise. Write only the summary, without preamble.",
].join("\n");

/** Heads the summary message in the new history, so the model knows what it is reading. */
export const SUMMARY_PREFIX = [
  "The earlier part of this conversation was compacted to save context. The user's messages",
  "above are kept as they were written; below is a handoff summary of the rest, written by",
  "the assistant that did the earlier work. Continue from it without redoing finished work.",
  "",
  "",
].join("\n");

/** How many tokens of real user messages the new history keeps, newest first. */
export const USER_MESSAGE_BUDGET_TOKENS = 20_000;

/** The summary used when the model answered with no text at all. */
const EMPTY_SUMMARY = "(no summary available)";

/** A rough token count (characters / 4), enough to budget what is kept. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The text parts of a message item, joined. */
export function messageText(item: RawItem): string {
  if (!Array.isArray(item.content)) return "";
  return (item.content as Json[]).flatMap((p) =>
    p && typeof p.text === "string" && (p.type === "input_text" || p.type === "output_text")
      ? [p.text]
      : []
  ).join("");
}

function isMessage(item: RawItem, role: string): boolean {
  return item.type === "message" && item.role === role;
}

/** The summary message of an earlier compaction (superseded by the next summary). */
export function isSummaryMessage(item: RawItem): boolean {
  return isMessage(item, "user") && messageText(item).startsWith(SUMMARY_PREFIX);
}

/**
 * A message the user wrote: a user message that is neither context nor a summary. Each one
 * opens a user turn of the model history (rollback counts these).
 */
export function isRealUserMessage(item: RawItem): boolean {
  return isMessage(item, "user") && !isContextMessage(item) && !isSummaryMessage(item);
}

function userMessage(text: string): RawItem {
  return { type: "message", role: "user", content: [{ type: "input_text", text }] };
}

/**
 * The model context after a compaction: the context items in their order, the most recent
 * real user messages (the newest always whole, older ones while `budgetTokens` lasts, the
 * one crossing the budget cut to what is left), then the summary message.
 */
export function compactedHistory(
  history: readonly RawItem[],
  summary: string,
  budgetTokens = USER_MESSAGE_BUDGET_TOKENS,
): RawItem[] {
  const context = history.filter(isContextMessage);
  const users = history.filter(isRealUserMessage);
  const kept: RawItem[] = [];
  let left = budgetTokens;
  for (let i = users.length - 1; i >= 0 && (kept.length === 0 || left > 0); i--) {
    const item = users[i]!;
    const text = messageText(item);
    const tokens = estimateTokens(text);
    if (kept.length === 0 || tokens <= left) {
      kept.unshift(item);
    } else {
      kept.unshift(userMessage(`${text.slice(0, left * 4)}\n[… truncated by compaction]`));
    }
    left -= tokens;
  }
  return [...context, ...kept, userMessage(SUMMARY_PREFIX + summary)];
}

/**
 * Asks the model for the summary. Its usage counts like any response (token usage event,
 * `token_count` record); its output never becomes items of the turn.
 */
async function summarize(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  signal: AbortSignal,
): Promise<string> {
  const s = thread.settings;
  const body = buildResponsesRequest({
    model: s.model,
    instructions: s.baseInstructions,
    input: [...thread.history, userMessage(s.compactPrompt ?? COMPACTION_PROMPT)],
    promptCacheKey: thread.id,
  });
  const base = { threadId: thread.id, turnId: turn.id };
  let summary = "";
  let streamed = "";
  for await (
    const ev of streamResponse(body, {
      provider: s.provider,
      identity: host.identity,
      sessionId: thread.id,
      turnMetadata: { turn_id: turn.id },
      env: host.env,
      signal,
    })
  ) {
    if (ev.type === "rateLimits") {
      recordRateLimits(host, thread, turn.id, ev.snapshot);
    } else if (ev.type === "retrying") {
      streamed = "";
      host.emit({ kind: "error", ...base, error: retryNotice(ev), willRetry: true });
    } else if (ev.type === "outputTextDelta") {
      streamed += ev.delta;
    } else if (ev.type === "outputItemDone" && isMessage(ev.item, "assistant")) {
      summary = messageText(ev.item) || streamed;
      streamed = "";
    } else if (ev.type === "completed" && ev.usage) {
      // The summarising call sees more than the next request will: it does not measure it.
      recordUsage(host, thread, turn.id, { ...ev.usage }, false);
    }
  }
  signal.throwIfAborted();
  return (summary || streamed).trim() || EMPTY_SUMMARY;
}

/**
 * Compacts the thread's context within `turn`: `contextCompaction` item started, the
 * summarising call, the history replaced and recorded, item completed, `thread/compacted`.
 * Throws what the model call throws, with the history left as it was.
 */
export async function compactThread(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  signal: AbortSignal,
): Promise<void> {
  const item: ThreadItem = { type: "contextCompaction", id: crypto.randomUUID() };
  const base = { threadId: thread.id, turnId: turn.id };
  // In the turn from the start, so a client attaching meanwhile (resume) sees it.
  turn.items.push(item);
  host.emit({ kind: "itemStarted", ...base, item });
  let summary: string;
  try {
    summary = await summarize(host, thread, turn, signal);
  } catch (e) {
    turn.items.splice(turn.items.indexOf(item), 1);
    throw e;
  }
  const replacement = compactedHistory(thread.history, summary);
  thread.history.splice(0, thread.history.length, ...replacement);
  // The last response measured the old context; until the next one, estimate the new one.
  thread.lastUsage = null;
  compactedTail.set(thread, thread.history.at(-1));
  appendRecord(thread, "compacted", { message: summary, replacement_history: replacement });
  appendRecord(thread, "event_msg", { type: "context_compacted" });
  host.emit({ kind: "itemCompleted", ...base, item });
  host.emit({ kind: "threadCompacted", ...base });
}

/**
 * The last item of each thread's history right after its last compaction: while it is still
 * the last item and no response measured the context, nothing was added since, and a context
 * still estimated over the limit (long user messages) is not compacted over and over.
 */
const compactedTail = new WeakMap<LiveThread, RawItem | undefined>();

/**
 * How many tokens the next request carries: the last response's total (its input plus
 * output, i.e. the whole context it saw and added to), or an estimate of the history when no
 * response measured it yet (a resumed thread, or right after a compaction).
 */
export function contextTokens(thread: LiveThread): number {
  if (thread.lastUsage) return thread.lastUsage.totalTokens;
  return thread.history.reduce((n, item) => n + estimateTokens(JSON.stringify(item)), 0);
}

/**
 * The hook of normal turns, called before each model call: compacts first when the context
 * reached the thread's `model_auto_compact_token_limit` (unset: never).
 */
export async function autoCompactIfNeeded(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  signal: AbortSignal,
): Promise<void> {
  const limit = thread.settings.autoCompactTokenLimit;
  if (limit === null || limit === undefined || limit <= 0) return;
  const unchanged = thread.lastUsage === null && compactedTail.has(thread) &&
    compactedTail.get(thread) === thread.history.at(-1);
  if (unchanged || contextTokens(thread) < limit) return;
  await compactThread(host, thread, turn, signal);
}

/**
 * A compaction turn (`thread/compact/start`): status active, the compaction, status idle,
 * `turn/completed`; no `turn/started`. It fails or is interrupted like a normal turn, with the
 * same records, so a rollout reads back the same way. Never throws.
 */
export async function runCompactionTurn(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  signal: AbortSignal,
  onStopped: () => void = () => {},
): Promise<void> {
  // Visible to a resume snapshot, although no `turn/started` goes out (§5.7).
  beginTurn(host, thread, turn);
  try {
    await compactThread(host, thread, turn, signal);
    await finishTurn(host, thread, turn, { signal, onStopped }, null);
  } catch (e) {
    await finishTurn(host, thread, turn, { failure: e, signal, onStopped }, null);
  }
}
