import assert from "node:assert/strict";
import {
  disconnectAfter,
  failed,
  hangAfter,
  httpError,
  stall,
  textTurn,
} from "../../../tests/support/mock_model.ts";
import { ModelError } from "./errors.ts";
import type { ModelEvent } from "./events.ts";
import { retryNotice, streamResponse } from "./responses_client.ts";
import { BODY, collect, kinds, options, withMock } from "./client_test_helpers.ts";

Deno.test("streamResponse: 500s are retried quietly at the request level", async () => {
  await withMock(async (mock) => {
    mock.enqueue(httpError(500, "boom"), httpError(502, "bad gw"), textTurn("ok"));
    const { events, error } = await collect(
      streamResponse(BODY, options(mock, { request_max_retries: 2 })),
    );
    assert.equal(error, null);
    assert.equal(kinds(events).includes("retrying"), false);
    assert.equal(events.at(-1)?.type, "completed");
    assert.equal(mock.requests.length, 3);
  });
});

Deno.test("streamResponse: 500 after request retries becomes a stream retry with a notice", async () => {
  await withMock(async (mock) => {
    mock.enqueue(httpError(500, "a"), httpError(500, "b"), textTurn("ok"));
    const { events, error } = await collect(
      streamResponse(BODY, options(mock, { request_max_retries: 1, stream_max_retries: 2 })),
    );
    assert.equal(error, null);
    assert.deepEqual(kinds(events), [
      "retrying",
      "rateLimits",
      "created",
      "outputItemAdded",
      "outputItemDone",
      "completed",
    ]);
    const retry = events[0] as Extract<ModelEvent, { type: "retrying" }>;
    assert.equal(retry.attempt, 1);
    assert.equal(retry.maxRetries, 2);
    assert.ok(retry.delayMs >= 4 && retry.delayMs <= 6);
    assert.deepEqual(retryNotice(retry), {
      message: "Reconnecting... 1/2",
      codexErrorInfo: { responseStreamDisconnected: { httpStatusCode: null } },
      additionalDetails:
        "We're currently experiencing high demand, which may cause temporary errors.",
    });
  });
});

Deno.test("streamResponse: 500 with no retries left → internalServerError", async () => {
  await withMock(async (mock) => {
    mock.enqueue(httpError(500, "boom"));
    const { error } = await collect(streamResponse(BODY, options(mock)));
    assert.ok(error instanceof ModelError);
    assert.equal(error.codexErrorInfo, "internalServerError");
  });
});

Deno.test("streamResponse: 429 honours retry-after, then succeeds", async () => {
  await withMock(async (mock) => {
    mock.enqueue(
      httpError(429, '{"error":{"message":"slow"}}', { "retry-after-ms": "300" }),
      textTurn("ok"),
    );
    const started = performance.now();
    const { error } = await collect(
      streamResponse(BODY, options(mock, { request_max_retries: 1 })),
    );
    assert.equal(error, null);
    assert.ok(performance.now() - started >= 280, "waited for retry-after");
    assert.equal(mock.requests.length, 2);
  });
});

Deno.test("streamResponse: 429 give-up → responseTooManyFailedAttempts", async () => {
  await withMock(async (mock) => {
    mock.enqueue(httpError(429, "", { "retry-after": "0" }), httpError(429, ""));
    const { events, error } = await collect(
      streamResponse(BODY, options(mock, { request_max_retries: 1, stream_max_retries: 3 })),
    );
    assert.deepEqual(events, []);
    assert.ok(error instanceof ModelError);
    assert.deepEqual(error.codexErrorInfo, {
      responseTooManyFailedAttempts: { httpStatusCode: 429 },
    });
    assert.equal(error.message, "exceeded retry limit, last status: 429 Too Many Requests");
    assert.equal(mock.requests.length, 2);
  });
});

Deno.test("streamResponse: retry429 false gives up on the first 429, like the reference", async () => {
  await withMock(async (mock) => {
    mock.enqueue(httpError(429, ""), textTurn("never"));
    const { error } = await collect(
      streamResponse(BODY, options(mock, { request_max_retries: 3 }, { retry429: false })),
    );
    assert.ok(error instanceof ModelError);
    assert.equal(mock.requests.length, 1);
  });
});

Deno.test("streamResponse: 400 is final with the raw body", async () => {
  await withMock(async (mock) => {
    const body = '{"error":{"message":"bad thing","type":"invalid_request_error"}}';
    mock.enqueue(httpError(400, body));
    const { error } = await collect(
      streamResponse(BODY, options(mock, { request_max_retries: 2, stream_max_retries: 2 })),
    );
    assert.ok(error instanceof ModelError);
    assert.deepEqual([error.codexErrorInfo, error.message], ["other", body]);
    assert.equal(mock.requests.length, 1);
  });
});

Deno.test("streamResponse: a stream that breaks mid-way is retried, then gives up", async () => {
  await withMock(async (mock) => {
    mock.enqueue(
      disconnectAfter(2, textTurn("x", { deltas: ["x"] })),
      disconnectAfter(1, textTurn("y")),
      textTurn("z"),
    );
    const { events, error } = await collect(
      streamResponse(BODY, options(mock, { stream_max_retries: 2 })),
    );
    assert.equal(error, null);
    assert.deepEqual(kinds(events), [
      "rateLimits",
      "created",
      "outputItemAdded",
      "retrying",
      "rateLimits",
      "created",
      "retrying",
      "rateLimits",
      "created",
      "outputItemAdded",
      "outputItemDone",
      "completed",
    ]);
    const first = events[3] as Extract<ModelEvent, { type: "retrying" }>;
    assert.equal(
      first.error.message,
      "stream disconnected before completion: stream closed before response.completed",
    );
    assert.deepEqual(
      (events[6] as Extract<ModelEvent, { type: "retrying" }>).attempt,
      2,
    );

    mock.enqueue(disconnectAfter(1, textTurn("x")));
    const last = await collect(streamResponse(BODY, options(mock)));
    assert.ok(last.error instanceof ModelError);
    assert.equal(last.error.codexErrorInfo, "other");
    assert.equal(
      last.error.message,
      "stream disconnected before completion: stream closed before response.completed",
    );
  });
});

Deno.test("streamResponse: an idle stream times out and counts as a stream failure", async () => {
  await withMock(async (mock) => {
    const slow = textTurn("late");
    mock.enqueue(
      hangAfter(1, slow),
      { steps: [slow.steps![0]!, stall(400), ...slow.steps!.slice(1)] },
      { steps: [slow.steps![0]!, stall(30), ...slow.steps!.slice(1)] },
    );
    const opts = options(mock, { stream_idle_timeout_ms: 150, stream_max_retries: 2 });
    const started = performance.now();
    const { events, error } = await collect(streamResponse(BODY, opts));
    assert.equal(error, null);
    const retries = events.filter((e) => e.type === "retrying");
    assert.equal(retries.length, 2);
    assert.equal(
      retries[0]!.error.message,
      "stream disconnected before completion: idle timeout waiting for SSE",
    );
    assert.equal(events.at(-1)?.type, "completed");
    assert.ok(performance.now() - started < 2_000);
  });
});

Deno.test("streamResponse: response.failed maps codes; generic failures are retried", async () => {
  await withMock(async (mock) => {
    mock.enqueue(failed("context_length_exceeded", "too long"));
    const ctx = await collect(streamResponse(BODY, options(mock, { stream_max_retries: 2 })));
    assert.ok(ctx.error instanceof ModelError);
    assert.equal(ctx.error.codexErrorInfo, "contextWindowExceeded");
    assert.equal(mock.requests.length, 1);

    mock.enqueue(failed("insufficient_quota", "q"));
    const quota = await collect(streamResponse(BODY, options(mock)));
    assert.equal((quota.error as ModelError).codexErrorInfo, "usageLimitExceeded");

    mock.enqueue(failed("server_is_overloaded", "busy"));
    const busy = await collect(streamResponse(BODY, options(mock)));
    assert.equal((busy.error as ModelError).codexErrorInfo, "serverOverloaded");

    mock.enqueue(failed("rate_limit_exceeded", "Rate limited. Please try again in 0.01s."));
    mock.enqueue(textTurn("ok"));
    const rate = await collect(streamResponse(BODY, options(mock, { stream_max_retries: 1 })));
    assert.equal(rate.error, null);
    const retry = rate.events.find((e) => e.type === "retrying") as Extract<
      ModelEvent,
      { type: "retrying" }
    >;
    assert.equal(retry.delayMs, 10);
    assert.equal(
      retryNotice(retry).additionalDetails,
      "stream disconnected before completion: Rate limited. Please try again in 0.01s.",
    );
  });
});
