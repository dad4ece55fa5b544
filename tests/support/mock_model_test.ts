import assert from "node:assert/strict";
import {
  customToolCall,
  disconnectAfter,
  failed,
  frame,
  hangAfter,
  httpError,
  MockModelServer,
  raw,
  reasoning,
  stall,
  textTurn,
  turn,
} from "./mock_model.ts";

async function post(mock: MockModelServer, body: unknown = { model: "m" }, path = "/responses") {
  return await fetch(`${mock.url}${path}?q=1`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-test": "yes" },
    body: JSON.stringify(body),
  });
}

/** `event` names of an SSE body. */
function eventNames(text: string): string[] {
  return [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]!);
}

Deno.test("mock model: scripts are consumed FIFO and requests recorded", async () => {
  const mock = await MockModelServer.start();
  try {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    mock.enqueue(textTurn("one", { deltas: ["o", "ne"] }), httpError(418, "teapot"));
    assert.equal(mock.pending, 2);
    const first = await post(mock, { n: 1 });
    assert.equal(first.headers.get("content-type"), "text/event-stream");
    const text = await first.text();
    assert.deepEqual(eventNames(text), [
      "response.created",
      "response.output_item.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_item.done",
      "response.completed",
    ]);
    assert.match(text, /"usage":\{"input_tokens":10,"input_tokens_details":\{"cached_tokens":0\}/);
    const second = await post(mock, { n: 2 });
    assert.deepEqual([second.status, await second.text()], [418, "teapot"]);
    const [a, b] = await mock.waitForRequests(2);
    assert.deepEqual(a!.body, { n: 1 });
    assert.equal(a!.path, "/v1/responses");
    assert.deepEqual(a!.query, { q: "1" });
    assert.equal(a!.headers["x-test"], "yes");
    assert.deepEqual(b!.body, { n: 2 });
  } finally {
    await mock.close();
  }
});

Deno.test("mock model: unscripted requests get a 500 that says so; other paths 404", async () => {
  const mock = await MockModelServer.start();
  try {
    const res = await post(mock);
    assert.equal(res.status, 500);
    assert.match(await res.text(), /no script queued for request #1/);
    const other = await post(mock, {}, "/models");
    assert.equal(other.status, 404);
    await other.body?.cancel();
    assert.equal(mock.requests.length, 2);
  } finally {
    await mock.close();
  }
});

Deno.test("mock model: reasoning, tool calls, failures and raw frames", async () => {
  const mock = await MockModelServer.start();
  try {
    mock.enqueue(
      turn([
        reasoning({ summary: ["a", "b"], content: ["c"], encrypted: "enc" }),
        customToolCall("apply_patch", "*** Begin Patch", "call_9"),
        raw(": keep-alive\n\n"),
      ], { usage: { inputTokens: 3, reasoningOutputTokens: 1, totalTokens: 9 } }),
      failed("context_length_exceeded", "too long"),
    );
    const text = await (await post(mock)).text();
    assert.deepEqual(eventNames(text), [
      "response.created",
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_text.delta",
      "response.output_item.done",
      "response.output_item.added",
      "response.output_item.done",
      "response.completed",
    ]);
    assert.match(text, /"encrypted_content":"enc"/);
    assert.match(text, /"call_id":"call_9"/);
    assert.match(text, /\n: keep-alive\n/);
    assert.match(text, /"reasoning_tokens":1\},"total_tokens":9/);
    const failure = await (await post(mock)).text();
    assert.deepEqual(eventNames(failure), ["response.created", "response.failed"]);
    assert.match(failure, /"code":"context_length_exceeded"/);
  } finally {
    await mock.close();
  }
});

Deno.test("mock model: stall delays, disconnectAfter truncates, hangAfter ends on close", async () => {
  const mock = await MockModelServer.start();
  try {
    const script = textTurn("x");
    mock.enqueue(
      { steps: [stall(100), ...script.steps!] },
      disconnectAfter(2, script),
      hangAfter(1, script),
    );
    const started = performance.now();
    await (await post(mock)).text();
    assert.ok(performance.now() - started >= 90);
    const cut = await (await post(mock)).text();
    assert.deepEqual(eventNames(cut), ["response.created", "response.output_item.added"]);
    const hanging = await post(mock);
    const reader = hanging.body!.pipeThrough(new TextDecoderStream()).getReader();
    const { value } = await reader.read();
    assert.equal(value, frame(script.steps![0]!));
    const closing = mock.close();
    while (!(await reader.read()).done) { /* drain until the server ends the stream */ }
    await closing;
  } finally {
    await mock.close();
  }
});
