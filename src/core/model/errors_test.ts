import assert from "node:assert/strict";
import {
  CONTEXT_WINDOW_MESSAGE,
  httpStatusError,
  INTERNAL_SERVER_ERROR_MESSAGE,
  OVERLOADED_MESSAGE,
  QUOTA_MESSAGE,
  responseFailedError,
  suggestedDelayMs,
} from "./errors.ts";
import { abortableSleep, backoffMs, retryAfterMs } from "./retry.ts";
import { decodeEvent, usageOf } from "./events.ts";

const failed = (code: string | null, message = "m") =>
  responseFailedError({ id: "r", error: code === null ? undefined : { code, message } });

Deno.test("response.failed codes map to the reference's errors", () => {
  const cases: [string | null, unknown, string, boolean][] = [
    ["context_length_exceeded", "contextWindowExceeded", CONTEXT_WINDOW_MESSAGE, false],
    ["insufficient_quota", "usageLimitExceeded", QUOTA_MESSAGE, false],
    ["server_is_overloaded", "serverOverloaded", OVERLOADED_MESSAGE, false],
    ["slow_down", "serverOverloaded", OVERLOADED_MESSAGE, false],
    ["invalid_prompt", "other", "m", false],
    ["rate_limit_exceeded", "other", "stream disconnected before completion: m", true],
    ["whatever", "other", "stream disconnected before completion: m", true],
    [null, "other", "stream disconnected before completion: response.failed event received", true],
  ];
  for (const [code, info, message, retryable] of cases) {
    const e = failed(code);
    assert.deepEqual(
      [e.codexErrorInfo, e.message, e.retryable],
      [info, message, retryable],
      String(code),
    );
  }
  assert.equal(
    failed("rate_limit_exceeded", "Please try again in 1.5s.").retryAfterMs,
    1500,
  );
  assert.equal(suggestedDelayMs("try again in 20ms"), 20);
  assert.equal(suggestedDelayMs("later"), null);
});

Deno.test("HTTP statuses map to the reference's errors", () => {
  const url = "http://h/v1/responses";
  const e500 = httpStatusError(500, "boom", url);
  assert.deepEqual([e500.codexErrorInfo, e500.message, e500.retryable, e500.httpStatusCode], [
    "internalServerError",
    INTERNAL_SERVER_ERROR_MESSAGE,
    true,
    null,
  ]);
  const body400 = '{"error":{"message":"bad thing"}}';
  const e400 = httpStatusError(400, body400, url);
  assert.deepEqual([e400.codexErrorInfo, e400.message, e400.retryable], ["other", body400, false]);
  const e401 = httpStatusError(401, '{"error":{"message":"no auth"}}', url);
  assert.equal(e401.message, `unexpected status 401 Unauthorized: no auth, url: ${url}`);
  assert.deepEqual([e401.retryable, e401.httpStatusCode], [true, 401]);
  const e429 = httpStatusError(429, "", url);
  assert.equal(e429.message, "exceeded retry limit, last status: 429 Too Many Requests");
  assert.deepEqual(e429.codexErrorInfo, { responseTooManyFailedAttempts: { httpStatusCode: 429 } });
  assert.equal(e429.retryable, false);
  const quota = httpStatusError(429, '{"error":{"code":"insufficient_quota","message":"q"}}', url);
  assert.equal(quota.codexErrorInfo, "usageLimitExceeded");
  const ctx = httpStatusError(400, '{"error":{"code":"context_length_exceeded"}}', url);
  assert.equal(ctx.codexErrorInfo, "contextWindowExceeded");
  assert.deepEqual(e401.toTurnError(), {
    message: e401.message,
    codexErrorInfo: "other",
    additionalDetails: null,
  });
});

Deno.test("backoffMs doubles from 200 ms with ±10% jitter, capped", () => {
  assert.equal(backoffMs(1, undefined, () => 0.5), 200);
  assert.equal(backoffMs(3, undefined, () => 0.5), 800);
  assert.equal(backoffMs(1, undefined, () => 0), 180);
  assert.equal(backoffMs(1, undefined, () => 1), 220);
  assert.equal(backoffMs(30, undefined, () => 0.5), 30_000);
});

Deno.test("retryAfterMs reads seconds, milliseconds and dates, clamped", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  assert.equal(retryAfterMs(h({})), null);
  assert.equal(retryAfterMs(h({ "retry-after": "2" })), 2000);
  assert.equal(retryAfterMs(h({ "retry-after-ms": "150", "retry-after": "9" })), 150);
  assert.equal(retryAfterMs(h({ "retry-after": "99999" })), 60_000);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(retryAfterMs(h({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), now), 3000);
  assert.equal(retryAfterMs(h({ "retry-after": "soon" })), null);
});

Deno.test("abortableSleep rejects with the signal's reason", async () => {
  const c = new AbortController();
  const p = abortableSleep(10_000, c.signal);
  c.abort(new Error("stop"));
  await assert.rejects(p, { message: "stop" });
});

Deno.test("decodeEvent: usage, unknown events and bad JSON", () => {
  assert.deepEqual(
    usageOf({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 15,
    }),
    {
      inputTokens: 10,
      cachedInputTokens: 4,
      outputTokens: 5,
      reasoningOutputTokens: 2,
      totalTokens: 15,
    },
  );
  assert.deepEqual(usageOf({ input_tokens: 1, output_tokens: 2 })?.totalTokens, 3);
  assert.equal(decodeEvent({ event: "x", data: "{nope", id: null }).kind, "skip");
  assert.equal(
    decodeEvent({ event: "response.web_search_call.searching", data: "{}", id: null }).kind,
    "skip",
  );
  const inc = decodeEvent({
    event: "response.incomplete",
    data:
      '{"type":"response.incomplete","response":{"incomplete_details":{"reason":"max_output_tokens"}}}',
    id: null,
  });
  assert.equal(inc.kind, "error");
  assert.equal(
    inc.kind === "error" && inc.error.message,
    "stream disconnected before completion: Incomplete response returned, reason: max_output_tokens",
  );
});
