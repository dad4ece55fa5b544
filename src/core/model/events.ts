/**
 * The typed events the model client yields, and the translation of raw Responses API SSE
 * events into them.
 *
 * Items stay raw (`RawItem`): the turn loop persists them into rollouts byte-for-byte and
 * sends them back as history, so reshaping them here would only lose fields a later model
 * version adds. Callers that need a checked shape can parse with the protocol's
 * `ResponseItem` schema.
 *
 * @module
 */

import type { SseEvent } from "./sse.ts";
import { type ModelError, responseFailedError, streamDisconnected } from "./errors.ts";

/** A Responses API item as the provider sent it (`message`, `reasoning`, `function_call`, …). */
export interface RawItem {
  type: string;
  id?: string;
  [key: string]: unknown;
}

/** Token counts of one response, in the protocol's `TokenUsageBreakdown` naming. */
export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
}

import type { RateLimitSnapshot } from "../../protocol/schema/account.ts";

/** What a model stream reports, in order. */
export type ModelEvent =
  /** From the response headers, before anything of the stream. */
  | { type: "rateLimits"; snapshot: RateLimitSnapshot }
  | { type: "created"; responseId: string | null }
  | { type: "outputItemAdded"; item: RawItem }
  | { type: "outputTextDelta"; itemId: string; delta: string; contentIndex: number }
  | { type: "reasoningSummaryPartAdded"; itemId: string; summaryIndex: number }
  | { type: "reasoningSummaryDelta"; itemId: string; summaryIndex: number; delta: string }
  | { type: "reasoningTextDelta"; itemId: string; contentIndex: number; delta: string }
  | { type: "outputItemDone"; item: RawItem }
  | { type: "completed"; responseId: string | null; usage: TokenUsage | null }
  | {
    /**
     * The stream failed and will be retried after `delayMs`. Events of the failed attempt
     * that were already yielded are superseded: the next attempt starts again with
     * `created`. `error` is the failure (`retryNotice` turns this into the `error`
     * notification body with `willRetry: true`).
     */
    type: "retrying";
    attempt: number;
    maxRetries: number;
    delayMs: number;
    error: ModelError;
  };

/** What one SSE event means for the stream. */
export type Decoded =
  | { kind: "event"; event: ModelEvent }
  | { kind: "done"; event: ModelEvent }
  | { kind: "error"; error: ModelError }
  | { kind: "skip"; reason: string };

const skip = (reason: string): Decoded => ({ kind: "skip", reason });

/** Translates one SSE event. Unknown event types are skipped, not errors. */
export function decodeEvent(sse: SseEvent): Decoded {
  let payload: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(sse.data);
    if (!isRecord(parsed)) return skip("data is not a JSON object");
    payload = parsed;
  } catch {
    return skip("data is not JSON");
  }
  const type = typeof payload["type"] === "string" ? payload["type"] : sse.event;
  const itemId = str(payload["item_id"]) ?? "";
  switch (type) {
    case "response.created":
      return ev({ type: "created", responseId: responseIdOf(payload["response"]) });
    case "response.output_item.added":
    case "response.output_item.done": {
      const item = payload["item"];
      if (!isRecord(item) || typeof item["type"] !== "string") return skip("item without type");
      return ev({
        type: type === "response.output_item.added" ? "outputItemAdded" : "outputItemDone",
        item: item as RawItem,
      });
    }
    case "response.output_text.delta":
      return ev({
        type: "outputTextDelta",
        itemId,
        delta: str(payload["delta"]) ?? "",
        contentIndex: int(payload["content_index"]),
      });
    case "response.reasoning_summary_part.added":
      return ev({
        type: "reasoningSummaryPartAdded",
        itemId,
        summaryIndex: int(payload["summary_index"]),
      });
    case "response.reasoning_summary_text.delta":
      return ev({
        type: "reasoningSummaryDelta",
        itemId,
        summaryIndex: int(payload["summary_index"]),
        delta: str(payload["delta"]) ?? "",
      });
    case "response.reasoning_text.delta":
      return ev({
        type: "reasoningTextDelta",
        itemId,
        contentIndex: int(payload["content_index"]),
        delta: str(payload["delta"]) ?? "",
      });
    case "response.completed": {
      const response = payload["response"];
      return {
        kind: "done",
        event: {
          type: "completed",
          responseId: responseIdOf(response),
          usage: usageOf(isRecord(response) ? response["usage"] : undefined),
        },
      };
    }
    case "response.failed":
      return { kind: "error", error: responseFailedError(payload["response"]) };
    case "response.incomplete": {
      const response = payload["response"];
      const details = isRecord(response) ? response["incomplete_details"] : undefined;
      const reason = isRecord(details) ? str(details["reason"]) : null;
      return {
        kind: "error",
        error: streamDisconnected(
          `Incomplete response returned, reason: ${reason ?? "unknown"}`,
        ),
      };
    }
    default:
      return skip(`unhandled event ${type}`);
  }
}

/** Reads `usage` of a completed response; missing detail objects count as zero. */
export function usageOf(usage: unknown): TokenUsage | null {
  if (!isRecord(usage)) return null;
  const input = num(usage["input_tokens"]);
  const output = num(usage["output_tokens"]);
  const inDetails = usage["input_tokens_details"];
  const outDetails = usage["output_tokens_details"];
  return {
    inputTokens: input,
    cachedInputTokens: isRecord(inDetails) ? num(inDetails["cached_tokens"]) : 0,
    outputTokens: output,
    reasoningOutputTokens: isRecord(outDetails) ? num(outDetails["reasoning_tokens"]) : 0,
    totalTokens: usage["total_tokens"] === undefined ? input + output : num(usage["total_tokens"]),
  };
}

function ev(event: ModelEvent): Decoded {
  return { kind: "event", event };
}

function responseIdOf(response: unknown): string | null {
  return isRecord(response) ? str(response["id"]) : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function int(v: unknown): number {
  return typeof v === "number" && Number.isInteger(v) ? v : 0;
}
