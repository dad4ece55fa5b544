/**
 * Runs one turn: records the user input, calls the model, turns its stream into items, and
 * ends the turn `completed`, `failed` or `interrupted`. Everything observable leaves as a
 * {@linkcode ThreadEvent}; the rollout gets the reference's records.
 *
 * The loop is one model call per turn for now. Tools plug in at `#afterResponse`: when the
 * response holds tool calls, run them, append their outputs to the history, and call again.
 *
 * @module
 */

import { ModelError } from "../model/errors.ts";
import type { ModelEvent, RawItem } from "../model/events.ts";
import { buildResponsesRequest } from "../model/request.ts";
import { retryNotice, type StreamOptions, streamResponse } from "../model/responses_client.ts";
import type { ThreadItem } from "../../protocol/schema/items.ts";
import type { Turn, TurnError } from "../../protocol/schema/thread.ts";
import type { UserInput } from "../../protocol/schema/user_input.ts";
import type { ThreadTokenUsage, TokenUsageBreakdown } from "../../protocol/schema/notifications.ts";
import type { ThreadStatus } from "../../protocol/schema/thread.ts";
import type { LiveThread, OpenItem } from "./thread.ts";

/** What a thread reports; the server maps each kind to a notification. */
export type ThreadEvent =
  | { kind: "statusChanged"; threadId: string; status: ThreadStatus }
  | { kind: "turnStarted"; threadId: string; turn: Turn }
  | { kind: "itemStarted" | "itemCompleted"; threadId: string; turnId: string; item: ThreadItem }
  | { kind: "agentMessageDelta"; threadId: string; turnId: string; itemId: string; delta: string }
  | {
    kind: "reasoningSummaryPartAdded";
    threadId: string;
    turnId: string;
    itemId: string;
    summaryIndex: number;
  }
  | {
    kind: "reasoningSummaryTextDelta";
    threadId: string;
    turnId: string;
    itemId: string;
    delta: string;
    summaryIndex: number;
  }
  | {
    kind: "reasoningTextDelta";
    threadId: string;
    turnId: string;
    itemId: string;
    delta: string;
    contentIndex: number;
  }
  | { kind: "tokenUsage"; threadId: string; turnId: string; tokenUsage: ThreadTokenUsage }
  | { kind: "error"; threadId: string; turnId: string; error: TurnError; willRetry: boolean }
  | { kind: "turnCompleted"; threadId: string; turn: Turn };

/** What the runner needs from its owner. */
export interface TurnHost {
  emit(event: ThreadEvent): void;
  /** Recomputes the status and emits `statusChanged` when it changed. */
  refreshStatus(thread: LiveThread): void;
  identity: StreamOptions["identity"];
  env?: StreamOptions["env"];
}

type Json = Record<string, unknown>;

/** The text of the environment context message the model sees first. */
export function environmentContext(thread: LiveThread): string {
  const s = thread.settings;
  return [
    "<environment_context>",
    `  <cwd>${s.cwd}</cwd>`,
    `  <approval_policy>${
      typeof s.approvalPolicy === "string" ? s.approvalPolicy : "reject"
    }</approval_policy>`,
    `  <sandbox_mode>${s.sandboxMode}</sandbox_mode>`,
    `  <shell>${s.shell}</shell>`,
    "</environment_context>",
  ].join("\n");
}

function userMessageItem(text: string): RawItem {
  return { type: "message", role: "user", content: [{ type: "input_text", text }] };
}

/** The text the model gets for the user's input (text parts; images are left out). */
function inputText(input: UserInput[]): string {
  return input.flatMap((i) => i.type === "text" ? [i.text] : []).join("\n");
}

function zeroUsage(): TokenUsageBreakdown {
  return {
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningOutputTokens: 0,
    totalTokens: 0,
  };
}

function diskUsage(u: TokenUsageBreakdown): Json {
  return {
    input_tokens: u.inputTokens,
    cached_input_tokens: u.cachedInputTokens,
    output_tokens: u.outputTokens,
    reasoning_output_tokens: u.reasoningOutputTokens,
    total_tokens: u.totalTokens,
  };
}

function textsOf(parts: unknown, type: string): string[] {
  if (!Array.isArray(parts)) return [];
  return parts.flatMap((p: Json) =>
    p && p.type === type && typeof p.text === "string" ? [p.text as string] : []
  );
}

/**
 * Takes user input into the turn: the model context, the rollout (`response_item` and
 * `user_message`), and a `userMessage` item; shared by the turn's own input and steering.
 */
function recordUserInput(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  input: UserInput[],
): void {
  const text = inputText(input);
  thread.firstUserMessage ??= text;
  const userRaw = userMessageItem(text);
  thread.history.push(userRaw);
  const append = (payload: Json, type: "response_item" | "event_msg") =>
    thread.writer.append({ type, payload }).catch(() => {});
  append(userRaw, "response_item");
  append({
    type: "user_message",
    message: text,
    images: [],
    local_images: [],
    text_elements: [],
  }, "event_msg");
  const userItem = {
    type: "userMessage",
    id: crypto.randomUUID(),
    content: input.map((i) =>
      i.type === "text" ? { ...i, text_elements: i.text_elements ?? [] } : i
    ),
  } as ThreadItem;
  turn.items.push(userItem);
  const base = { threadId: thread.id, turnId: turn.id, item: userItem };
  host.emit({ kind: "itemStarted", ...base });
  host.emit({ kind: "itemCompleted", ...base });
}

/** Runs `turn` on `thread` to its end. Never throws. */
export async function runTurn(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  input: UserInput[],
  signal: AbortSignal,
  onStopped: () => void = () => {},
): Promise<void> {
  const threadId = thread.id;
  const turnId = turn.id;
  const emit = host.emit;
  const writer = thread.writer;
  const append = (type: "response_item" | "event_msg" | "turn_context", payload: Json) =>
    writer.append({ type, payload }).catch(() => {});

  emit({ kind: "turnStarted", threadId, turn: { ...turn, items: [] } });
  const active = thread.active;
  if (active) active.started = true;
  thread.status.running = true;
  thread.status.systemError = false;
  host.refreshStatus(thread);

  const s = thread.settings;
  if (thread.turnCount === 0) {
    const ctx = userMessageItem(environmentContext(thread));
    thread.history.push(ctx);
    append("response_item", ctx);
  }
  thread.turnCount++;
  append("event_msg", { type: "task_started", turn_id: turnId, model_context_window: null });
  // The user's input, then the turn context; steered input later gets the same records.
  recordUserInput(host, thread, turn, input);
  append("turn_context", {
    turn_id: turnId,
    cwd: s.cwd,
    approval_policy: s.approvalPolicy,
    sandbox_policy: s.diskSandboxPolicy,
    model: s.model,
    summary: "auto",
  });

  let lastAgentMessage: string | null = null;
  // Shared with the thread so a mid-turn snapshot sees the partial items.
  const open: Map<string, OpenItem> = active?.open ?? new Map();
  try {
    for (;;) {
      for (const steered of active?.pending.splice(0) ?? []) {
        recordUserInput(host, thread, turn, steered);
      }
      const body = buildResponsesRequest({
        model: s.model,
        instructions: s.baseInstructions,
        input: thread.history,
        promptCacheKey: threadId,
      });
      const events: AsyncGenerator<ModelEvent> = streamResponse(body, {
        provider: s.provider,
        identity: host.identity,
        sessionId: threadId,
        turnMetadata: { turn_id: turnId },
        env: host.env,
        signal,
      });
      for await (const ev of events) {
        switch (ev.type) {
          case "retrying":
            open.clear();
            emit({ kind: "error", threadId, turnId, error: retryNotice(ev), willRetry: true });
            break;
          case "outputItemAdded": {
            const raw = ev.item;
            const id = typeof raw.id === "string" && raw.id ? raw.id : crypto.randomUUID();
            if (raw.type === "message" && raw.role === "assistant") {
              const item = { type: "agentMessage", id, text: "", phase: null };
              open.set(id, { item, text: "", summary: [], content: [] });
              emit({ kind: "itemStarted", threadId, turnId, item: item as ThreadItem });
            } else if (raw.type === "reasoning") {
              const item = { type: "reasoning", id, summary: [], content: [] };
              open.set(id, { item, text: "", summary: [], content: [] });
              emit({ kind: "itemStarted", threadId, turnId, item: item as ThreadItem });
            }
            break;
          }
          case "outputTextDelta": {
            const o = open.get(ev.itemId);
            if (o) o.text += ev.delta;
            emit({
              kind: "agentMessageDelta",
              threadId,
              turnId,
              itemId: ev.itemId,
              delta: ev.delta,
            });
            break;
          }
          case "reasoningSummaryPartAdded":
            emit({
              kind: "reasoningSummaryPartAdded",
              threadId,
              turnId,
              itemId: ev.itemId,
              summaryIndex: ev.summaryIndex,
            });
            break;
          case "reasoningSummaryDelta": {
            const o = open.get(ev.itemId);
            if (o) o.summary[ev.summaryIndex] = (o.summary[ev.summaryIndex] ?? "") + ev.delta;
            emit({
              kind: "reasoningSummaryTextDelta",
              threadId,
              turnId,
              itemId: ev.itemId,
              delta: ev.delta,
              summaryIndex: ev.summaryIndex,
            });
            break;
          }
          case "reasoningTextDelta": {
            const o = open.get(ev.itemId);
            if (o) o.content[ev.contentIndex] = (o.content[ev.contentIndex] ?? "") + ev.delta;
            emit({
              kind: "reasoningTextDelta",
              threadId,
              turnId,
              itemId: ev.itemId,
              delta: ev.delta,
              contentIndex: ev.contentIndex,
            });
            break;
          }
          case "outputItemDone": {
            const raw = ev.item;
            thread.history.push(raw);
            const id = typeof raw.id === "string" && raw.id ? raw.id : crypto.randomUUID();
            const wasOpen = open.get(id);
            open.delete(id);
            if (raw.type === "message" && raw.role === "assistant") {
              const full = textsOf(raw.content, "output_text").join("") || (wasOpen?.text ?? "");
              const item = { type: "agentMessage", id, text: full, phase: null } as ThreadItem;
              if (!wasOpen) emit({ kind: "itemStarted", threadId, turnId, item });
              emit({ kind: "itemCompleted", threadId, turnId, item });
              turn.items.push(item);
              lastAgentMessage = full;
              append("event_msg", { type: "agent_message", message: full, phase: null });
              append("response_item", raw);
            } else if (raw.type === "reasoning") {
              const item = {
                type: "reasoning",
                id,
                summary: textsOf(raw.summary, "summary_text"),
                content: textsOf(raw.content, "reasoning_text"),
              } as ThreadItem;
              if (!wasOpen) emit({ kind: "itemStarted", threadId, turnId, item });
              emit({ kind: "itemCompleted", threadId, turnId, item });
              turn.items.push(item);
              append("response_item", raw);
            }
            break;
          }
          case "completed": {
            if (ev.usage) {
              const last: TokenUsageBreakdown = { ...ev.usage };
              const prev = thread.totalUsage ?? zeroUsage();
              const total: TokenUsageBreakdown = {
                inputTokens: prev.inputTokens + last.inputTokens,
                cachedInputTokens: prev.cachedInputTokens + last.cachedInputTokens,
                outputTokens: prev.outputTokens + last.outputTokens,
                reasoningOutputTokens: prev.reasoningOutputTokens + last.reasoningOutputTokens,
                totalTokens: prev.totalTokens + last.totalTokens,
              };
              thread.totalUsage = total;
              emit({
                kind: "tokenUsage",
                threadId,
                turnId,
                tokenUsage: { total, last, modelContextWindow: null },
              });
              append("event_msg", {
                type: "token_count",
                info: {
                  total_token_usage: diskUsage(total),
                  last_token_usage: diskUsage(last),
                  model_context_window: null,
                },
                rate_limits: null,
              });
            }
            break;
          }
          default:
            break;
        }
      }
      // More input arrived while the model answered: it gets another call to see it.
      if (!active?.pending.length) break;
    }
    if (active) active.steerable = false;
    append("event_msg", {
      type: "task_complete",
      turn_id: turnId,
      last_agent_message: lastAgentMessage,
    });
    turn.status = "completed";
    thread.status.running = false;
    host.refreshStatus(thread);
  } catch (e) {
    if (active) active.steerable = false;
    thread.status.running = false;
    if (signal.aborted) {
      append("event_msg", { type: "turn_aborted", turn_id: turnId, reason: "interrupted" });
      turn.status = "interrupted";
      onStopped();
      // The interrupt reply goes out first (§5.6); the end of the turn follows it.
      await new Promise((r) => setTimeout(r, 0));
      host.refreshStatus(thread);
    } else {
      const error: TurnError = e instanceof ModelError ? e.toTurnError() : {
        message: e instanceof Error ? e.message : String(e),
        codexErrorInfo: "other",
        additionalDetails: null,
      };
      thread.status.systemError = true;
      host.refreshStatus(thread);
      emit({ kind: "error", threadId, turnId, error, willRetry: false });
      append("event_msg", {
        type: "error",
        message: error.message,
        codex_error_info: error.codexErrorInfo ?? null,
      });
      append("event_msg", {
        type: "task_complete",
        turn_id: turnId,
        last_agent_message: lastAgentMessage,
      });
      turn.status = "failed";
      turn.error = error;
    }
  }
  await writer.flush().catch(() => {});
  const final: Turn = { ...turn, items: [...turn.items] };
  // Recorded in the same step as the event, so a resume snapshot never shows the turn both
  // finished and still running.
  thread.turns.push(final);
  if (active) active.started = false;
  emit({ kind: "turnCompleted", threadId, turn: final });
}
