/**
 * Runs one turn: records the user input, calls the model, turns its stream into items, and
 * ends the turn `completed`, `failed` or `interrupted`. Everything observable leaves as a
 * {@linkcode ThreadEvent}; the rollout gets the reference's records.
 *
 * The loop: call the model; when the response holds tool calls, run them one by one, add
 * their outputs to the history, and call the model again, until a response has no calls.
 *
 * @module
 */

import type { ModelEvent } from "../model/events.ts";
import { buildResponsesRequest, type PromptSpec } from "../model/request.ts";
import { retryNotice, type StreamOptions, streamResponse } from "../model/responses_client.ts";
import type { ThreadItem } from "../../protocol/schema/items.ts";
import type { Turn, TurnError } from "../../protocol/schema/thread.ts";
import type { UserInput } from "../../protocol/schema/user_input.ts";
import type { ThreadTokenUsage, TurnPlanStep } from "../../protocol/schema/notifications.ts";
import type { ThreadStatus } from "../../protocol/schema/thread.ts";
import type { RateLimitSnapshot } from "../../protocol/schema/account.ts";
import type { LiveThread, OpenItem, ThreadSettings } from "./thread.ts";
import { contextUpdate, loadProjectDocs } from "./turn_context.ts";
import {
  appendRecord,
  beginTurn,
  finishTurn,
  recordRateLimits,
  recordUsage,
} from "./turn_lifecycle.ts";
import { prepareInput } from "./user_input.ts";
import { autoCompactIfNeeded } from "./compaction.ts";
import type { ClientAsk, ClientReply, ToolCall, TurnToolState } from "../tools/tool_types.ts";
import { outputItem, runToolCall, toolCallOf, toolSetFor } from "../tools/registry.ts";
import { TurnDiffTracker } from "../tools/apply_patch/turn_diff.ts";
import { emitTurnDiff } from "../tools/apply_patch_tool.ts";

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
  | {
    /** The core's token count: usage (null before the first response) and rate limits. */
    kind: "tokenCount";
    threadId: string;
    turnId: string;
    tokenUsage: ThreadTokenUsage | null;
    rateLimits: RateLimitSnapshot;
  }
  | { kind: "error"; threadId: string; turnId: string; error: TurnError; willRetry: boolean }
  | { kind: "threadCompacted"; threadId: string; turnId: string }
  | {
    kind: "commandOutputDelta" | "fileChangeOutputDelta";
    threadId: string;
    turnId: string;
    itemId: string;
    delta: string;
  }
  | {
    kind: "terminalInteraction";
    threadId: string;
    turnId: string;
    itemId: string;
    processId: string;
    stdin: string;
  }
  | { kind: "turnDiffUpdated"; threadId: string; turnId: string; diff: string }
  | {
    kind: "planUpdated";
    threadId: string;
    turnId: string;
    explanation: string | null;
    plan: TurnPlanStep[];
  }
  | { kind: "turnCompleted"; threadId: string; turn: Turn }
  | { kind: "threadClosed"; threadId: string };

/** What the runner needs from its owner. */
export interface TurnHost {
  emit(event: ThreadEvent): void;
  /** Recomputes the status and emits `statusChanged` when it changed. */
  refreshStatus(thread: LiveThread): void;
  /** Asks the thread's clients (approvals, user input, dynamic tools); never rejects. */
  ask(threadId: string, ask: ClientAsk): Promise<ClientReply>;
  /**
   * Resolves when the thread's clients can take more output: at once unless every
   * subscriber is behind on reading. Commands' output is read at this pace.
   */
  pace(threadId: string): Promise<void>;
  /** Kept read-only inside the sandbox. */
  codexHome: string;
  identity: StreamOptions["identity"];
  env?: StreamOptions["env"];
}

type Json = Record<string, unknown>;

/**
 * Reasoning settings for the request: only when the thread has an effort or a summary
 * setting, since models without reasoning support reject the field.
 */
function reasoningOf(s: ThreadSettings): PromptSpec["reasoning"] {
  if (!s.reasoningEffort && !s.reasoningSummary) return null;
  return { effort: s.reasoningEffort ?? null, summary: s.reasoningSummary ?? null };
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
async function recordUserInput(
  host: TurnHost,
  thread: LiveThread,
  turn: Turn,
  input: UserInput[],
): Promise<void> {
  const prepared = await prepareInput(input, thread.settings.cwd);
  thread.firstUserMessage ??= prepared.text;
  thread.history.push(prepared.message);
  const append = (payload: Json, type: "response_item" | "event_msg") =>
    thread.writer.append({ type, payload }).catch(() => {});
  append(prepared.message, "response_item");
  append({
    type: "user_message",
    message: prepared.text,
    images: prepared.images,
    local_images: prepared.localImages,
    text_elements: input.flatMap((i) => i.type === "text" ? i.text_elements ?? [] : []),
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
  const append = (type: "response_item" | "event_msg" | "turn_context", payload: Json) =>
    appendRecord(thread, type, payload);

  emit({ kind: "turnStarted", threadId, turn: { ...turn, items: [] } });
  const active = thread.active;
  beginTurn(host, thread, turn);
  const s = thread.settings;
  const docs = s.projectDocs ? await loadProjectDocs({ ...s.projectDocs, cwd: s.cwd }) : null;
  for (const ctx of contextUpdate(s, docs, thread.sentContext)) {
    thread.history.push(ctx);
    append("response_item", ctx);
  }
  // The user's input, then the turn context; steered input later gets the same records.
  await recordUserInput(host, thread, turn, input);
  append("turn_context", {
    turn_id: turnId,
    cwd: s.cwd,
    approval_policy: s.approvalPolicy,
    sandbox_policy: s.diskSandboxPolicy,
    model: s.model,
    ...(s.reasoningEffort ? { effort: s.reasoningEffort } : {}),
    ...(s.personality ? { personality: s.personality } : {}),
    summary: s.reasoningSummary ?? "auto",
    ...(s.developerInstructions ? { developer_instructions: s.developerInstructions } : {}),
    ...(docs !== null ? { user_instructions: docs } : {}),
  });

  let lastAgentMessage: string | null = null;
  // Shared with the thread so a mid-turn snapshot sees the partial items.
  const open: Map<string, OpenItem> = active?.open ?? new Map();
  const state: TurnToolState = {
    diff: new TurnDiffTracker(s.cwd),
    changedFiles: false,
    cancelTurn: false,
  };
  const ctx = { host, thread, turn, signal, state };
  try {
    for (;;) {
      for (const steered of active?.pending.splice(0) ?? []) {
        await recordUserInput(host, thread, turn, steered);
      }
      await autoCompactIfNeeded(host, thread, turn, signal);
      const tools = toolSetFor(s);
      const calls: ToolCall[] = [];
      const body = buildResponsesRequest({
        model: s.model,
        instructions: s.baseInstructions,
        input: thread.history,
        tools: tools.specs,
        promptCacheKey: threadId,
        reasoning: reasoningOf(s),
        verbosity: s.verbosity ?? null,
        outputSchema: active?.outputSchema ?? null,
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
          case "rateLimits":
            recordRateLimits(host, thread, turnId, ev.snapshot);
            break;
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
              // Rebuilt turns (read, resume) take reasoning from these events, as Codex's do.
              const r = item as { summary: string[]; content: string[] };
              for (const text of r.summary) append("event_msg", { type: "agent_reasoning", text });
              for (const text of r.content) {
                append("event_msg", { type: "agent_reasoning_raw_content", text });
              }
              append("response_item", raw);
            } else {
              const call = toolCallOf(raw);
              if (call) calls.push(call);
              append("response_item", raw);
            }
            break;
          }
          case "completed":
            if (ev.usage) recordUsage(host, thread, turnId, { ...ev.usage }, true);
            break;
          default:
            break;
        }
      }
      for (const call of calls) {
        // Every call gets an output, or the next request of this thread would be refused.
        const output = signal.aborted
          ? outputItem(call, "aborted: the turn was interrupted before this call ran")
          : await runToolCall(tools, call, ctx);
        thread.history.push(output);
        append("response_item", output);
        // `cancel` on an approval ends the turn as interrupted, once the call is recorded.
        if (state.cancelTurn) active?.abort.abort(new DOMException("cancelled", "AbortError"));
      }
      signal.throwIfAborted();
      // Tool outputs, or input that arrived while the model answered, need another call.
      if (calls.length === 0 && !active?.pending.length) break;
    }
    if (active) active.steerable = false;
    if (state.changedFiles) await emitTurnDiff(ctx);
    await finishTurn(host, thread, turn, { signal, onStopped }, lastAgentMessage);
  } catch (e) {
    if (active) active.steerable = false;
    if (state.changedFiles) await emitTurnDiff(ctx);
    await finishTurn(host, thread, turn, { failure: e, signal, onStopped }, lastAgentMessage);
  }
}
