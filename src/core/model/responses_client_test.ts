import assert from "node:assert/strict";
import {
  functionCall,
  hangAfter,
  httpError,
  reasoning,
  textTurn,
  turn,
} from "../../../tests/support/mock_model.ts";
import { ModelError } from "./errors.ts";
import type { ModelEvent } from "./events.ts";
import { resolveProvider } from "./provider.ts";
import { streamResponse } from "./responses_client.ts";
import { BODY, collect, FAST, identity, kinds, options, withMock } from "./client_test_helpers.ts";

Deno.test("streamResponse: happy path with text deltas, reasoning and a tool call", async () => {
  await withMock(async (mock) => {
    mock.enqueue(turn([
      reasoning({ id: "rs_1", summary: ["thinking"], content: ["raw"] }),
      textTurn("hello", { id: "msg_1", deltas: ["hel", "lo"] }).steps!.slice(1, -1),
      functionCall("shell", { cmd: "ls" }, "call_1"),
    ], { responseId: "resp_1", usage: { inputTokens: 7, cachedInputTokens: 3, outputTokens: 2 } }));
    const { events, error } = await collect(streamResponse(BODY, options(mock)));
    assert.equal(error, null);
    assert.deepEqual(kinds(events), [
      "rateLimits",
      "created",
      "outputItemAdded",
      "reasoningSummaryPartAdded",
      "reasoningSummaryDelta",
      "reasoningTextDelta",
      "outputItemDone",
      "outputItemAdded",
      "outputTextDelta",
      "outputTextDelta",
      "outputItemDone",
      "outputItemAdded",
      "outputItemDone",
      "completed",
    ]);
    assert.deepEqual(events[4], {
      type: "reasoningSummaryDelta",
      itemId: "rs_1",
      summaryIndex: 0,
      delta: "thinking",
    });
    assert.deepEqual(events[8], {
      type: "outputTextDelta",
      itemId: "msg_1",
      delta: "hel",
      contentIndex: 0,
    });
    const done = events[10] as Extract<ModelEvent, { type: "outputItemDone" }>;
    assert.deepEqual(done.item["content"], [{
      type: "output_text",
      text: "hello",
      annotations: [],
    }]);
    const call = events[12] as Extract<ModelEvent, { type: "outputItemDone" }>;
    assert.deepEqual(
      [call.item.type, call.item["name"], call.item["arguments"], call.item["call_id"]],
      ["function_call", "shell", '{"cmd":"ls"}', "call_1"],
    );
    assert.deepEqual(events.at(-1), {
      type: "completed",
      responseId: "resp_1",
      usage: {
        inputTokens: 7,
        cachedInputTokens: 3,
        outputTokens: 2,
        reasoningOutputTokens: 0,
        totalTokens: 9,
      },
    });
    assert.equal(mock.requests.length, 1);
    assert.deepEqual(mock.requests[0]!.body, JSON.parse(JSON.stringify(BODY)));
  });
});

Deno.test("streamResponse: headers, auth, custom and env headers, query params", async () => {
  await withMock(async (mock) => {
    mock.enqueue(textTurn("ok"));
    const opts = options(mock, {
      env_key: "MOCK_KEY",
      query_params: { "api-version": "2025" },
      http_headers: { "X-Static": "s" },
      env_http_headers: { "X-From-Env": "MOCK_HDR", "X-Unset": "NOT_SET" },
    }, {
      sessionId: "thread-1",
      turnMetadata: { turn_id: "turn-1", sandbox: "seccomp" },
    }, { MOCK_KEY: "sk-test", MOCK_HDR: "hv" });
    const { error } = await collect(streamResponse(BODY, opts));
    assert.equal(error, null);
    const req = mock.requests[0]!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/v1/responses");
    assert.deepEqual(req.query, { "api-version": "2025" });
    const h = req.headers;
    assert.equal(h["authorization"], "Bearer sk-test");
    assert.equal(h["originator"], "my_client");
    assert.match(h["user-agent"]!, /^my_client\/0\.105\.0 \(.+\) xterm \(my_client; 9\.9\)$/);
    assert.equal(h["session_id"], "thread-1");
    assert.equal(h["x-codex-turn-metadata"], '{"turn_id":"turn-1","sandbox":"seccomp"}');
    assert.equal(h["accept"], "text/event-stream");
    assert.equal(h["content-type"], "application/json");
    assert.equal(h["x-static"], "s");
    assert.equal(h["x-from-env"], "hv");
    assert.equal("x-unset" in h, false);
  });
});

Deno.test("streamResponse: no key and no session → no authorization or session_id", async () => {
  await withMock(async (mock) => {
    mock.enqueue(textTurn("ok"));
    await collect(streamResponse(BODY, options(mock)));
    assert.equal("authorization" in mock.requests[0]!.headers, false);
    assert.equal("session_id" in mock.requests[0]!.headers, false);
  });
});

Deno.test("streamResponse: a missing env_key fails before any request", async () => {
  await withMock(async (mock) => {
    const opts = options(mock, { env_key: "NOPE_KEY", env_key_instructions: "Set it please." });
    const { events, error } = await collect(streamResponse(BODY, opts));
    assert.deepEqual(events, []);
    assert.ok(error instanceof ModelError);
    assert.equal(error.message, "Missing environment variable: `NOPE_KEY`. Set it please.");
    assert.equal(mock.requests.length, 0);
  });
});

Deno.test("streamResponse: headers that never come also hit the idle timeout", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) conns.push(conn); // accept, never answer
  })();
  try {
    const provider = resolveProvider(
      {
        silent: {
          name: "silent",
          base_url: `http://127.0.0.1:${listener.addr.port}/v1`,
          request_max_retries: 0,
          stream_max_retries: 0,
          stream_idle_timeout_ms: 150,
        },
      },
      "silent",
      {},
    );
    const { error } = await collect(
      streamResponse(BODY, { provider, identity: identity(), env: {}, backoff: FAST }),
    );
    assert.ok(error instanceof ModelError);
    assert.match(error.message, /^stream disconnected before completion: error sending request/);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const c of conns) c.close();
  }
});

Deno.test("streamResponse: aborting interrupts a hanging stream and a retry wait", async () => {
  await withMock(async (mock) => {
    mock.enqueue(hangAfter(1, textTurn("never")));
    const controller = new AbortController();
    const events: ModelEvent[] = [];
    const run = collect((async function* () {
      for await (
        const e of streamResponse(BODY, options(mock, {}, { signal: controller.signal }))
      ) {
        events.push(e);
        if (e.type === "created") setTimeout(() => controller.abort(new Error("interrupted")), 20);
        yield e;
      }
    })());
    const { error } = await run;
    assert.deepEqual(kinds(events), ["rateLimits", "created"]);
    assert.equal((error as Error).message, "interrupted");

    mock.enqueue(httpError(500, "x"));
    const c2 = new AbortController();
    const opts = options(mock, { stream_max_retries: 3 }, {
      signal: c2.signal,
      backoff: { baseMs: 10_000, maxMs: 10_000, jitter: 0 },
    });
    const started = performance.now();
    const second = await collect((async function* () {
      for await (const e of streamResponse(BODY, opts)) {
        if (e.type === "retrying") c2.abort();
        yield e;
      }
    })());
    assert.equal((second.error as DOMException).name, "AbortError");
    assert.ok(performance.now() - started < 2_000);
  });
});

Deno.test("streamResponse: breaking out of the loop releases the connection", async () => {
  await withMock(async (mock) => {
    mock.enqueue(hangAfter(1, textTurn("never")));
    for await (const e of streamResponse(BODY, options(mock))) {
      if (e.type === "created") break;
    }
  });
});

Deno.test("streamResponse: a connection refused is retried, then reported", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const provider = resolveProvider(
    {
      gone: {
        name: "gone",
        base_url: `http://127.0.0.1:${port}/v1`,
        request_max_retries: 1,
        stream_max_retries: 1,
      },
    },
    "gone",
    {},
  );
  const { events, error } = await collect(
    streamResponse(BODY, { provider, identity: identity(), env: {}, backoff: FAST }),
  );
  assert.deepEqual(kinds(events), ["retrying"]);
  assert.ok(error instanceof ModelError);
  assert.equal(
    error.message,
    `stream disconnected before completion: error sending request for url (http://127.0.0.1:${port}/v1/responses)`,
  );
});

Deno.test("streamResponse: a body that errors mid-way (connection reset) is a stream failure", async () => {
  const provider = resolveProvider(
    {
      fake: { name: "fake", base_url: "http://127.0.0.1:9/v1", stream_max_retries: 0 },
    },
    "fake",
    {},
  );
  const fakeFetch: typeof fetch = () =>
    Promise.resolve(
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode(
              'event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n',
            ));
            c.error(new TypeError("connection reset"));
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      ),
    );
  const { events, error } = await collect(
    streamResponse(BODY, { provider, identity: identity(), env: {}, fetch: fakeFetch }),
  );
  assert.ok(error instanceof ModelError);
  assert.equal(
    error.message,
    "stream disconnected before completion: error decoding response body",
  );
  assert.equal(error.retryable, true);
  assert.ok(events.length <= 1);
});
