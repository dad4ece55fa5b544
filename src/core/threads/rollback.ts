/**
 * Thread rollback (`thread/rollback`): dropping the last N user turns from a thread. The
 * live rollback and the replay of a stored `thread_rolled_back` marker both cut the model
 * history here, so a thread resumed after a rollback sends the model exactly what the live
 * thread would have sent.
 *
 * Semantics follow the reference core (`drop_last_n_user_turns`):
 * - a user turn starts at a `user` message that is not context we inserted
 *   (`<environment_context>`, AGENTS.md or Codex's `<user_instructions>`); steered input counts as a turn of its
 *   own there too, as in the reference;
 * - `numTurns <= 0`, or a history with no user turn, changes nothing;
 * - `numTurns` larger than the number of user turns drops all of them and keeps what came
 *   before the first one (the initial context);
 * - context updates sent just before a dropped user message go with it, so the kept history
 *   never ends in a context message written for a turn that no longer exists.
 *
 * Files on disk are not reverted; only the conversation is.
 *
 * @module
 */

import type { RawItem } from "../model/events.ts";
import type { RolloutItem } from "../rollout/rollout_format.ts";
import type { ThreadTokenUsage, TokenUsageBreakdown } from "../../protocol/schema/notifications.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import { type LiveThread, modelContextWindow } from "./thread.ts";
import { isRealUserMessage } from "./compaction.ts";
import { isContextMessage, sentContextFrom } from "./turn_context.ts";

/**
 * The index at which `history` must be cut to drop its last `numTurns` user turns; equal
 * to `history.length` when nothing is dropped.
 */
export function rollbackCut(history: readonly RawItem[], numTurns: number): number {
  if (!(numTurns > 0)) return history.length;
  const starts: number[] = [];
  history.forEach((item, i) => {
    if (isRealUserMessage(item)) starts.push(i);
  });
  const first = starts[0];
  if (first === undefined) return history.length;
  let cut = numTurns >= starts.length ? first : starts[starts.length - numTurns]!;
  // Context sent for a dropped turn goes with it; the initial context stays.
  while (cut > first && isContextMessage(history[cut - 1]!)) cut--;
  return cut;
}

/** `history` without its last `numTurns` user turns (a new array). */
export function dropLastUserTurns(history: readonly RawItem[], numTurns: number): RawItem[] {
  return history.slice(0, rollbackCut(history, numTurns));
}

/**
 * `turns` without the last `numTurns` (a new array); more than there are drops them all.
 * Matches what `HistoryBuilder` does with a replayed marker.
 */
export function dropLastTurns(turns: readonly Turn[], numTurns: number): Turn[] {
  if (!(numTurns > 0)) return turns.slice();
  return turns.slice(0, Math.max(0, turns.length - numTurns));
}

/** The rollout record of a rollback, as the reference writes it. */
export function rolledBackRecord(numTurns: number): RolloutItem {
  return { type: "event_msg", payload: { type: "thread_rolled_back", num_turns: numTurns } };
}

/**
 * Rolls a loaded, idle thread back: model history, finished turns and the record of which
 * context the model has seen. Synchronous, so a turn started right after sees the result.
 * The caller appends {@linkcode rolledBackRecord} to the rollout.
 */
export function rollbackLiveThread(thread: LiveThread, numTurns: number): void {
  thread.history.splice(rollbackCut(thread.history, numTurns));
  thread.turns.splice(0, thread.turns.length, ...dropLastTurns(thread.turns, numTurns));
  // A context update sent during a dropped turn is gone from the history: send it again.
  thread.sentContext = sentContextFrom(thread.history, thread.settings);
}

/**
 * Rough size of what the next request sends (about four bytes a token), as the reference
 * estimates it after a rollback, where no model call reports the real number.
 */
export function estimateContextTokens(history: readonly RawItem[], instructions: string): number {
  const bytes = new TextEncoder().encode(JSON.stringify(history) + instructions).length;
  return Math.ceil(bytes / 4);
}

/**
 * The usage reported after a rollback: the thread's running total is unchanged (tokens
 * spent stay spent); `last` describes the context that remains, estimated, with only
 * `totalTokens` set, like the reference's recomputation.
 */
export function usageAfterRollback(thread: LiveThread): ThreadTokenUsage {
  const zero: TokenUsageBreakdown = {
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningOutputTokens: 0,
    totalTokens: 0,
  };
  const total = thread.totalUsage ?? zero;
  const estimate = estimateContextTokens(thread.history, thread.settings.baseInstructions);
  return {
    total: { ...total },
    last: { ...zero, totalTokens: estimate },
    modelContextWindow: modelContextWindow(thread.settings),
  };
}
