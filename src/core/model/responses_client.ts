/**
 * The Responses API client: one streamed model call, with the reference's two retry layers.
 *
 * 1. Request retries (`request_max_retries`): a connection error, a 5xx or a 429 before any
 *    event arrived is retried quietly with backoff (honouring `retry-after`).
 * 2. Stream retries (`stream_max_retries`): when a call still fails in a way another attempt
 *    may fix (a stream that ends or stalls before `response.completed`, a generic
 *    `response.failed`, a 500 after request retries), the whole call is made again, and a
 *    `retrying` event tells the caller so it can send `error {willRetry: true}`.
 *
 * We use `fetch` and our own SSE parser rather than an SDK: the retry layers, the idle
 * timeout per event and the exact error texts are the point of this module, and an SDK would
 * hide all three behind its own policies.
 *
 * Deliberate difference from 0.105.0: it never retries a 429; we retry it at the request
 * level, waiting for `retry-after` when given (`retry429: false` restores the reference).
 * The give-up error is the reference's (`responseTooManyFailedAttempts`).
 *
 * @module
 */

import { getLogger } from "../../log/logger.ts";
import type { OriginatorState } from "../user_agent.ts";
import {
  connectionError,
  httpStatusError,
  ModelError,
  providerErrorOf,
  streamDisconnected,
} from "./errors.ts";
import { decodeEvent, type ModelEvent } from "./events.ts";
import { rateLimitsFromHeaders } from "./rate_limits.ts";
import {
  type Env,
  type ModelProvider,
  providerHeaders,
  providerUrl,
  resolveApiKey,
} from "./provider.ts";
import type { ResponsesRequestBody } from "./request.ts";
import {
  abortableSleep,
  abortReason,
  backoffMs,
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  retryAfterMs,
} from "./retry.ts";
import { DEFAULT_MAX_SSE_LINE, SseError, sseEvents } from "./sse.ts";

const log = getLogger("codex_core::client");

/** Longest error body we keep; providers sometimes answer with whole HTML pages. */
const MAX_ERROR_BODY_CHARS = 16 * 1024;

/** Options of {@linkcode streamResponse}. */
export interface StreamOptions {
  provider: ModelProvider;
  /** Read at request time, so the latest `initialize` is reflected. */
  identity: Pick<OriginatorState, "originator" | "userAgent">;
  /** The thread id, sent as `session_id`. */
  sessionId?: string | null;
  /** Sent as JSON in `x-codex-turn-metadata` (the reference sends `{turn_id, sandbox}`). */
  turnMetadata?: Record<string, unknown> | null;
  /** A key from the auth store; wins over the provider's `env_key`. */
  apiKey?: string | null;
  env?: Env;
  /** Aborting cancels the request, the stream and any retry wait (turn interrupt). */
  signal?: AbortSignal;
  /** Retry 429s at the request level (default true; the reference does not). */
  retry429?: boolean;
  backoff?: BackoffPolicy;
  random?: () => number;
  fetch?: typeof fetch;
  maxSseLine?: number;
}

/** The `error` notification body for a `retrying` event (`willRetry: true`). */
export function retryNotice(event: Extract<ModelEvent, { type: "retrying" }>): {
  message: string;
  codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: number | null } };
  additionalDetails: string;
} {
  return {
    message: `Reconnecting... ${event.attempt}/${event.maxRetries}`,
    codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: event.error.httpStatusCode } },
    additionalDetails: event.error.message,
  };
}

/**
 * Streams one model call. Ends after `completed`; throws a {@linkcode ModelError} when the
 * call fails for good, or the signal's reason when aborted. Breaking out of the loop early
 * cancels the HTTP request.
 */
export async function* streamResponse(
  body: ResponsesRequestBody,
  opts: StreamOptions,
): AsyncGenerator<ModelEvent, void, undefined> {
  const env = opts.env ?? Deno.env.toObject();
  const apiKey = resolveApiKey(opts.provider, env, opts.apiKey ?? null);
  const call: Call = {
    opts,
    url: providerUrl(opts.provider, "responses"),
    payload: JSON.stringify(body),
    headers: buildHeaders(opts, env, apiKey),
    fetch: opts.fetch ?? fetch,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
    random: opts.random ?? Math.random,
  };
  const maxRetries = opts.provider.streamMaxRetries;
  for (let attempt = 0;; attempt++) {
    try {
      yield* attemptOnce(call);
      return;
    } catch (e) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      const error = e instanceof ModelError ? e : streamDisconnected(String(e), { cause: e });
      if (!error.retryable || attempt >= maxRetries) throw error;
      const delayMs = error.retryAfterMs ?? backoffMs(attempt + 1, call.backoff, call.random);
      log.warn("model stream failed; retrying", {
        attempt: attempt + 1,
        max: maxRetries,
        delay_ms: delayMs,
        error: error.message,
      });
      yield { type: "retrying", attempt: attempt + 1, maxRetries, delayMs, error };
      await abortableSleep(delayMs, opts.signal);
    }
  }
}

interface Call {
  opts: StreamOptions;
  url: string;
  payload: string;
  headers: Headers;
  fetch: typeof fetch;
  backoff: BackoffPolicy;
  random: () => number;
}

function buildHeaders(opts: StreamOptions, env: Env, apiKey: string | null): Headers {
  const headers = new Headers(providerHeaders(opts.provider, env));
  if (apiKey) headers.set("authorization", `Bearer ${apiKey}`);
  headers.set("originator", opts.identity.originator);
  headers.set("user-agent", opts.identity.userAgent());
  if (opts.sessionId) headers.set("session_id", opts.sessionId);
  if (opts.turnMetadata) headers.set("x-codex-turn-metadata", JSON.stringify(opts.turnMetadata));
  headers.set("accept", "text/event-stream");
  headers.set("content-type", "application/json");
  return headers;
}

/** One attempt: connect (with request retries) and read the stream to `response.completed`. */
async function* attemptOnce(call: Call): AsyncGenerator<ModelEvent, void, undefined> {
  const idleMs = call.opts.provider.streamIdleTimeoutMs;
  const { response, controller } = await connect(call);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idle = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      controller.abort(new DOMException("idle timeout", "TimeoutError"));
    }, idleMs);
  };
  const stream = sseEvents(response.body!, call.opts.maxSseLine ?? DEFAULT_MAX_SSE_LINE);
  try {
    yield { type: "rateLimits", snapshot: rateLimitsFromHeaders(response.headers) };
    arm();
    for await (const sse of stream) {
      clearTimeout(timer);
      const decoded = decodeEvent(sse);
      switch (decoded.kind) {
        case "event":
          yield decoded.event;
          break;
        case "done":
          yield decoded.event;
          return;
        case "error":
          throw decoded.error;
        case "skip":
          log.trace("skipped model event", { event: sse.event, reason: decoded.reason });
          break;
      }
      arm();
    }
    throw streamDisconnected("stream closed before response.completed");
  } catch (e) {
    if (e instanceof ModelError) throw e;
    if (call.opts.signal?.aborted) throw abortReason(call.opts.signal);
    if (idle) throw streamDisconnected("idle timeout waiting for SSE");
    if (e instanceof SseError) throw streamDisconnected(e.message, { cause: e });
    throw streamDisconnected("error decoding response body", { cause: e });
  } finally {
    clearTimeout(timer);
    controller.abort();
    await stream.return().catch(() => {});
  }
}

/**
 * Sends the request until it gets a 2xx or a final error. The idle timeout also bounds the
 * wait for response headers, so a provider that accepts the connection and never answers
 * cannot hang the turn.
 */
async function connect(
  call: Call,
): Promise<{ response: Response; controller: AbortController }> {
  const { provider, signal } = call.opts;
  const retry429 = call.opts.retry429 ?? true;
  for (let attempt = 0;; attempt++) {
    const controller = linkedController(signal);
    const timer = setTimeout(
      () => controller.abort(new DOMException("no response headers", "TimeoutError")),
      provider.streamIdleTimeoutMs,
    );
    let response: Response;
    try {
      response = await call.fetch(call.url, {
        method: "POST",
        headers: call.headers,
        body: call.payload,
        signal: controller.signal,
      });
    } catch (e) {
      clearTimeout(timer);
      controller.abort();
      if (signal?.aborted) throw abortReason(signal);
      if (attempt < provider.requestMaxRetries) {
        const delay = backoffMs(attempt + 1, call.backoff, call.random);
        log.debug("model request failed; retrying", { attempt: attempt + 1, error: String(e) });
        await abortableSleep(delay, signal);
        continue;
      }
      throw connectionError(call.url, e);
    }
    clearTimeout(timer);
    if (response.ok && response.body) return { response, controller };
    const bodyTimer = setTimeout(() => controller.abort(), provider.streamIdleTimeoutMs);
    const text = await readErrorBody(response);
    clearTimeout(bodyTimer);
    controller.abort();
    if (signal?.aborted) throw abortReason(signal);
    const wait = retryAfterMs(response.headers);
    const quota = providerErrorOf(text).code === "insufficient_quota";
    const retryable = response.status >= 500 || (response.status === 429 && retry429 && !quota);
    if (retryable && attempt < provider.requestMaxRetries) {
      const delay = wait ?? backoffMs(attempt + 1, call.backoff, call.random);
      log.debug("model request got an error status; retrying", {
        attempt: attempt + 1,
        status: response.status,
        delay_ms: delay,
      });
      await abortableSleep(delay, signal);
      continue;
    }
    throw httpStatusError(response.status, text, call.url, wait);
  }
}

async function readErrorBody(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > MAX_ERROR_BODY_CHARS ? `${text.slice(0, MAX_ERROR_BODY_CHARS)}…` : text;
  } catch {
    return "";
  }
}

/** A controller that also aborts when `parent` does (per-attempt cancellation). */
function linkedController(parent: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else {
      const onAbort = () => controller.abort(parent.reason);
      parent.addEventListener("abort", onAbort, { once: true });
      controller.signal.addEventListener(
        "abort",
        () => parent.removeEventListener("abort", onAbort),
        { once: true },
      );
    }
  }
  return controller;
}
