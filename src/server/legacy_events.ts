/**
 * The legacy `codex/event/*` stream of Codex 0.105: alongside each v2 notification, subscribers
 * get the core event it came from, as `{id, msg, conversationId}` with a snake_case `msg`.
 * Clients of that era (and its integration tests) wait on `task_started`/`task_complete`, so
 * they are mirrored here, derived from the same thread events, and sent just before their v2
 * counterpart. Later Codex dropped the stream; a client that does not want it opts out of each
 * method by name (`initialize` `optOutNotificationMethods`).
 *
 * @module
 */

import type { ThreadEvent } from "../core/threads/thread_manager.ts";
import type { ThreadItem } from "../protocol/schema/items.ts";
import { diskTokenInfo } from "../core/threads/turn_lifecycle.ts";
import { diskRateLimits } from "../core/model/rate_limits.ts";
import { shellSplit } from "../core/tools/shell_words.ts";

type Json = Record<string, unknown>;

/** One legacy notification: its method and params. */
export interface LegacyNote {
  method: string;
  params: { id: string; msg: Json; conversationId: string };
}

/** A v2 user input in the core's shape. */
function coreInput(input: Json): Json {
  switch (input.type) {
    case "image":
      return { type: "image", image_url: input.url };
    case "localImage":
      return { type: "local_image", path: input.path };
    default:
      return input;
  }
}

/** A v2 item as the core's `TurnItem`, or null for items the core stream does not carry. */
function turnItem(item: ThreadItem): Json | null {
  const i = item as unknown as Json;
  switch (i.type) {
    case "userMessage":
      return {
        type: "UserMessage",
        id: i.id,
        content: (i.content as Json[]).map(coreInput),
      };
    case "agentMessage":
      return {
        type: "AgentMessage",
        id: i.id,
        content: [{ type: "Text", text: i.text }],
        phase: i.phase ?? null,
      };
    case "reasoning":
      return { type: "Reasoning", id: i.id, summary_text: i.summary, raw_content: i.content };
    case "contextCompaction":
      return { type: "ContextCompaction", id: i.id };
    default:
      return null;
  }
}

/** Completed items also produce the older per-kind events. */
function completedExtras(item: ThreadItem): Json[] {
  const i = item as unknown as Json;
  if (i.type === "userMessage") {
    const content = i.content as Json[];
    return [{
      type: "user_message",
      message: content.flatMap((c) => c.type === "text" ? [c.text] : []).join("\n"),
      images: content.flatMap((c) => c.type === "image" ? [c.url] : []),
      local_images: content.flatMap((c) => c.type === "localImage" ? [c.path] : []),
      text_elements: content.flatMap((c) => c.type === "text" ? c.text_elements as Json[] : []),
    }];
  }
  if (i.type === "agentMessage") {
    return [{ type: "agent_message", message: i.text, phase: i.phase ?? null }];
  }
  if (i.type === "reasoning") {
    return (i.summary as string[]).map((text) => ({ type: "agent_reasoning", text }));
  }
  return [];
}

/** A `fileChange` item's changes as the core's map of path → `FileChange`. */
function coreFileChanges(changes: unknown): Json {
  return Object.fromEntries((changes as Json[] ?? []).map((c) => {
    const kind = c.kind as Json;
    const change = kind.type === "update"
      ? { type: "update", unified_diff: c.diff, move_path: kind.move_path ?? null }
      : { type: kind.type, content: c.diff };
    return [c.path, change];
  }));
}

/** The begin/end events of a command or patch item (the core's `exec_command_*` and
 * `patch_apply_*`), with the fields a 0.105 client displays. */
function toolItemEvents(item: ThreadItem, turnId: string, phase: "begin" | "end"): Json[] {
  const i = item as unknown as Json;
  if (i.type === "commandExecution") {
    const base = {
      call_id: i.id,
      process_id: i.processId ?? null,
      turn_id: turnId,
      // The core event carries the argv; the item's command is its shell-quoted join.
      command: shellSplit(i.command as string) ?? [i.command],
      cwd: i.cwd,
      parsed_cmd: i.commandActions,
      source: "agent",
    };
    if (phase === "begin") return [{ type: "exec_command_begin", ...base }];
    const output = (i.aggregatedOutput as string | null) ?? "";
    return [{
      type: "exec_command_end",
      ...base,
      stdout: output,
      stderr: "",
      aggregated_output: output,
      exit_code: i.exitCode ?? -1,
      duration: { secs: Math.floor(Number(i.durationMs ?? 0) / 1000), nanos: 0 },
      formatted_output: output,
      status: i.status,
    }];
  }
  if (i.type === "fileChange") {
    const changes = coreFileChanges(i.changes);
    if (phase === "begin") {
      return [{ type: "patch_apply_begin", call_id: i.id, turn_id: turnId, changes }];
    }
    return [{
      type: "patch_apply_end",
      call_id: i.id,
      turn_id: turnId,
      stdout: "",
      stderr: "",
      success: i.status === "completed",
      changes,
      status: i.status,
    }];
  }
  return [];
}

function lastAgentMessage(items: readonly ThreadItem[]): string | null {
  for (let k = items.length - 1; k >= 0; k--) {
    const i = items[k] as unknown as Json;
    if (i.type === "agentMessage") return i.text as string;
  }
  return null;
}

/** What the legacy events say about the thread beyond the event itself. */
export interface LegacyContext {
  modelContextWindow?: number | null;
  collaborationMode?: string | null;
}

/** The core events behind one thread event, in the order the reference sends them. */
export function legacyMessages(event: ThreadEvent, context: LegacyContext = {}): Json[] {
  const e = event as ThreadEvent & Json;
  const ids = { thread_id: event.threadId, turn_id: e.turnId };
  switch (event.kind) {
    case "turnStarted":
      return [{
        type: "task_started",
        turn_id: event.turn.id,
        model_context_window: context.modelContextWindow ?? null,
        collaboration_mode_kind: context.collaborationMode ?? "default",
      }];
    case "itemStarted": {
      const item = turnItem(event.item);
      const begin = toolItemEvents(event.item, event.turnId, "begin");
      return item ? [{ type: "item_started", ...ids, item }, ...begin] : begin;
    }
    case "itemCompleted": {
      const item = turnItem(event.item);
      const extras = [
        ...completedExtras(event.item),
        ...toolItemEvents(event.item, event.turnId, "end"),
      ];
      return item ? [{ type: "item_completed", ...ids, item }, ...extras] : extras;
    }
    case "turnDiffUpdated":
      return [{ type: "turn_diff", unified_diff: event.diff }];
    case "planUpdated":
      return [{
        type: "plan_update",
        explanation: event.explanation,
        plan: event.plan.map((p) => ({
          step: p.step,
          status: p.status === "inProgress" ? "in_progress" : p.status,
        })),
      }];
    case "agentMessageDelta":
      return [
        { type: "agent_message_content_delta", ...ids, item_id: event.itemId, delta: event.delta },
        { type: "agent_message_delta", delta: event.delta },
      ];
    case "reasoningSummaryPartAdded":
      return [{
        type: "agent_reasoning_section_break",
        item_id: event.itemId,
        summary_index: event.summaryIndex,
      }];
    case "reasoningSummaryTextDelta":
      return [
        {
          type: "reasoning_content_delta",
          ...ids,
          item_id: event.itemId,
          delta: event.delta,
          summary_index: event.summaryIndex,
        },
        { type: "agent_reasoning_delta", delta: event.delta },
      ];
    case "reasoningTextDelta":
      return [
        {
          type: "reasoning_raw_content_delta",
          ...ids,
          item_id: event.itemId,
          delta: event.delta,
          content_index: event.contentIndex,
        },
        { type: "agent_reasoning_raw_content_delta", delta: event.delta },
      ];
    case "tokenCount":
      return [{
        type: "token_count",
        info: event.tokenUsage ? diskTokenInfo(event.tokenUsage) : null,
        rate_limits: diskRateLimits(event.rateLimits),
      }];
    case "tokenUsage":
      return [{ type: "token_count", info: diskTokenInfo(event.tokenUsage), rate_limits: null }];
    case "error":
      return event.willRetry
        ? [{
          type: "stream_error",
          message: event.error.message,
          codex_error_info: event.error.codexErrorInfo ?? null,
          additional_details: event.error.additionalDetails ?? null,
        }]
        : [{
          type: "error",
          message: event.error.message,
          codex_error_info: event.error.codexErrorInfo ?? null,
        }];
    case "threadCompacted":
      return [{ type: "context_compacted" }];
    case "turnCompleted":
      return event.turn.status === "interrupted"
        ? [{ type: "turn_aborted", turn_id: event.turn.id, reason: "interrupted" }]
        : [{
          type: "task_complete",
          turn_id: event.turn.id,
          last_agent_message: lastAgentMessage(event.turn.items),
        }];
    default:
      return [];
  }
}

/** The legacy notifications for one thread event. */
export function legacyNotes(event: ThreadEvent, context: LegacyContext = {}): LegacyNote[] {
  const id = typeof (event as { turnId?: unknown }).turnId === "string"
    ? (event as { turnId: string }).turnId
    : "turn" in event
    ? event.turn.id
    : "";
  return legacyMessages(event, context).map((msg) => ({
    method: `codex/event/${msg.type as string}`,
    params: { id, msg, conversationId: event.threadId },
  }));
}

/**
 * The core event that precedes a server request in 0.105 (`exec_approval_request`,
 * `apply_patch_approval_request` with the running `item`'s changes,
 * `dynamic_tool_call_request`), or null for requests without one.
 */
export function legacyRequestNote(
  threadId: string,
  method: string,
  params: Record<string, unknown>,
  item?: Record<string, unknown>,
): LegacyNote | null {
  const turnId = String(params.turnId ?? "");
  let msg: Json;
  if (method === "item/commandExecution/requestApproval") {
    msg = {
      type: "exec_approval_request",
      call_id: params.itemId,
      turn_id: turnId,
      command: shellSplit(String(params.command ?? "")) ?? [params.command],
      cwd: params.cwd,
      reason: params.reason ?? null,
      parsed_cmd: params.commandActions ?? [],
    };
    if (params.proposedExecpolicyAmendment) {
      msg.proposed_execpolicy_amendment = params.proposedExecpolicyAmendment;
    }
  } else if (method === "item/fileChange/requestApproval" && item) {
    msg = {
      type: "apply_patch_approval_request",
      call_id: params.itemId,
      turn_id: turnId,
      changes: coreFileChanges(item.changes),
      reason: params.reason ?? null,
      grant_root: params.grantRoot ?? null,
    };
  } else if (method === "item/tool/call") {
    // This one is camelCase in 0.105 too.
    msg = {
      type: "dynamic_tool_call_request",
      callId: params.callId,
      turnId,
      tool: params.tool,
      arguments: params.arguments,
    };
  } else {
    return null;
  }
  return {
    method: `codex/event/${msg.type as string}`,
    params: { id: turnId, msg, conversationId: threadId },
  };
}
