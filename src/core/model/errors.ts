/**
 * The one error type of the model client, and the mapping from HTTP statuses and
 * `response.failed` payloads to the reference's `codexErrorInfo` values and messages.
 *
 * The mapping mirrors what Codex 0.105.0 was observed to send to clients (see
 * `shared/reference/protocol.md` §5.5): the turn error a client sees for a given provider
 * failure is the same with our server as with the reference. The messages are short,
 * user-facing sentences because they end up verbatim in `error` notifications.
 *
 * @module
 */

import type { CodexErrorInfo } from "../../protocol/schema/thread.ts";

export type { CodexErrorInfo };

/** Prefix the reference puts on every failure of a stream it will (or could) retry. */
export const STREAM_DISCONNECTED_PREFIX = "stream disconnected before completion: ";

/** Observed message for a 500 from the provider. */
export const INTERNAL_SERVER_ERROR_MESSAGE =
  "We're currently experiencing high demand, which may cause temporary errors.";
export const CONTEXT_WINDOW_MESSAGE =
  "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.";
export const QUOTA_MESSAGE = "Quota exceeded. Check your plan and billing details.";
export const OVERLOADED_MESSAGE = "Selected model is at capacity. Please try a different model.";

/** Options of {@linkcode ModelError}. */
export interface ModelErrorOptions {
  /** Whether a fresh attempt of the whole stream may succeed (counts against stream retries). */
  retryable?: boolean;
  /** The HTTP status behind the failure, when there was one worth reporting. */
  httpStatusCode?: number | null;
  /** A provider-suggested delay before retrying, in milliseconds. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

/**
 * A failed model call. `message` is what the user sees; `codexErrorInfo` is what a client
 * branches on; `retryable` tells the stream loop whether another attempt is worthwhile.
 */
export class ModelError extends Error {
  readonly codexErrorInfo: CodexErrorInfo;
  readonly retryable: boolean;
  readonly httpStatusCode: number | null;
  readonly retryAfterMs: number | null;

  constructor(message: string, codexErrorInfo: CodexErrorInfo, opts: ModelErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ModelError";
    this.codexErrorInfo = codexErrorInfo;
    this.retryable = opts.retryable ?? false;
    this.httpStatusCode = opts.httpStatusCode ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }

  /** The `TurnError` shape of the protocol (`error` notifications, failed turns). */
  toTurnError(): { message: string; codexErrorInfo: CodexErrorInfo; additionalDetails: null } {
    return { message: this.message, codexErrorInfo: this.codexErrorInfo, additionalDetails: null };
  }
}

/** A stream that broke after it was accepted: retried, reported as `other` when it gives up. */
export function streamDisconnected(
  detail: string,
  opts: ModelErrorOptions = {},
): ModelError {
  return new ModelError(`${STREAM_DISCONNECTED_PREFIX}${detail}`, "other", {
    retryable: true,
    ...opts,
  });
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** `429 Too Many Requests`, as the reference words a status. */
export function statusText(status: number): string {
  const reason = REASONS[status];
  return reason ? `${status} ${reason}` : `${status}`;
}

/** `{error:{code,type,message}}` from a provider body, when it is JSON of that shape. */
export function providerErrorOf(body: string): { code: string | null; message: string | null } {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (error && typeof error === "object") {
      const e = error as Record<string, unknown>;
      const code = typeof e["code"] === "string"
        ? e["code"]
        : typeof e["type"] === "string"
        ? e["type"]
        : null;
      return { code, message: typeof e["message"] === "string" ? e["message"] : null };
    }
  } catch {
    // not JSON: callers fall back to the raw body
  }
  return { code: null, message: null };
}

/**
 * Maps a final non-success HTTP answer (after request-level retries) to the error the turn
 * reports. Observed on 0.105.0: 500 → `internalServerError` (retried as a stream failure),
 * 400 → `other` with the raw body, 429 → `responseTooManyFailedAttempts`, anything else →
 * `unexpected status …` (retried as a stream failure).
 */
export function httpStatusError(
  status: number,
  body: string,
  url: string,
  retryAfterMs: number | null = null,
): ModelError {
  const provider = providerErrorOf(body);
  if (provider.code === "context_length_exceeded") {
    return new ModelError(CONTEXT_WINDOW_MESSAGE, "contextWindowExceeded", {
      httpStatusCode: status,
    });
  }
  if (provider.code === "insufficient_quota") {
    // Retrying cannot help; the reference reports a generic retry-limit error here.
    return new ModelError(QUOTA_MESSAGE, "usageLimitExceeded", { httpStatusCode: status });
  }
  if (status === 429) {
    return new ModelError(
      `exceeded retry limit, last status: ${statusText(429)}`,
      { responseTooManyFailedAttempts: { httpStatusCode: 429 } },
      { httpStatusCode: 429, retryAfterMs },
    );
  }
  if (status === 500) {
    // The reference reports this one without a status code.
    return new ModelError(INTERNAL_SERVER_ERROR_MESSAGE, "internalServerError", {
      retryable: true,
      retryAfterMs,
    });
  }
  if (status === 400) {
    return new ModelError(body, "other", { httpStatusCode: 400 });
  }
  const detail = provider.message ?? body;
  return new ModelError(
    `unexpected status ${statusText(status)}: ${detail}, url: ${url}`,
    "other",
    { retryable: true, httpStatusCode: status, retryAfterMs },
  );
}

/** The error behind a connection that could not be made (after request-level retries). */
export function connectionError(url: string, cause: unknown): ModelError {
  return streamDisconnected(`error sending request for url (${url})`, { cause });
}

/**
 * Maps the `response` of a `response.failed` event. Codes with a fixed meaning are final;
 * the rest are treated as a broken stream and retried, as the reference does.
 */
export function responseFailedError(response: unknown): ModelError {
  const error = (response as { error?: unknown } | null)?.error;
  const e = error && typeof error === "object" ? error as Record<string, unknown> : null;
  const code = typeof e?.["code"] === "string" ? e["code"] : null;
  const message = typeof e?.["message"] === "string" ? e["message"] : null;
  switch (code) {
    case "context_length_exceeded":
      return new ModelError(CONTEXT_WINDOW_MESSAGE, "contextWindowExceeded");
    case "insufficient_quota":
      return new ModelError(QUOTA_MESSAGE, "usageLimitExceeded");
    case "server_is_overloaded":
    case "slow_down":
      return new ModelError(OVERLOADED_MESSAGE, "serverOverloaded");
    case "invalid_prompt":
      return new ModelError(message ?? "Invalid request.", "other");
    case "rate_limit_exceeded":
      return streamDisconnected(message ?? "rate limit exceeded", {
        retryAfterMs: message === null ? null : suggestedDelayMs(message),
      });
    default:
      return streamDisconnected(message ?? "response.failed event received");
  }
}

/** Reads "try again in 1.5s" / "try again in 300ms" from a rate-limit message. */
export function suggestedDelayMs(message: string): number | null {
  const m = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(message);
  if (!m) return null;
  const value = Number(m[1]);
  return Math.round(m[2]!.toLowerCase() === "ms" ? value : value * 1000);
}
