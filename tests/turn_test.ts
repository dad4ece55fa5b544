/**
 * Black-box tests of live threads and turns over websockets, with the mock Responses server
 * standing in for the model: `thread/start` ordering, the exact notification order of a
 * simple turn, routing to subscribers only, persistence into `thread/list`/`thread/read`, a
 * failed turn, interrupt, and refusals.
 */

import assert from "node:assert/strict";
import type { Msg, WsClient } from "./support/clients.ts";
import {
  disconnectAfter,
  failed,
  hangAfter,
  message,
  stall,
  textTurn,
  turn,
} from "./support/mock_model.ts";
import type { WsServer } from "./support/ws_helpers.ts";
import {
  connectClient,
  expectedSimpleTurnOrder,
  noteLabel,
  runTurn,
  v2Notifications,
  withThreadServer,
} from "./support/thread_harness.ts";

const client = (s: WsServer): Promise<WsClient> => connectClient(s);

/** v2 notifications after `from`; the legacy `codex/event/*` mirror has its own test. */
const notes = v2Notifications;

async function startThread(c: WsClient): Promise<string> {
  const res = await c.request("thread/start", {});
  assert.ok(res.result, JSON.stringify(res));
  return res.result.thread.id;
}

Deno.test("thread/start: status before the response, thread/started after", async () => {
  await withThreadServer(async (s) => {
    const a = await client(s);
    const b = await client(s);
    const res = await a.request("thread/start", {});
    const id = res.result.thread.id;
    assert.equal(res.result.model, "mock-model");
    assert.equal(res.result.modelProvider, "mock");
    assert.equal(res.result.approvalPolicy, "never");
    assert.equal(res.result.sandbox.type, "readOnly");
    assert.equal(res.result.thread.status.type, "idle");
    assert.match(res.result.thread.path, /rollout-.*\.jsonl$/);
    await Deno.stat(res.result.thread.path).then(() => assert.fail("file must be lazy"), () => {});
    await a.waitFor((m) => m.method === "thread/started");
    const status = a.received.findIndex((m) =>
      m.method === "thread/status/changed" && m.params.threadId === id
    );
    const started = a.received.findIndex((m) => m.method === "thread/started");
    const response = a.received.indexOf(res);
    assert.ok(status >= 0 && status < response && response < started);
    await b.waitFor((m) => m.method === "thread/started" && m.params.thread.id === id);
    const loaded = await a.request("thread/loaded/list", {});
    assert.deepEqual(loaded.result.data, [id]);
    await a.close();
    await b.close();
  });
});

Deno.test("simple turn: exact order for the subscriber, broadcasts only for others", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await client(s);
    const b = await client(s);
    const id = await startThread(a);
    await a.waitFor((m) => m.method === "thread/started");
    await b.waitFor((m) => m.method === "thread/started");
    const fromA = a.received.length;
    const fromB = b.received.length;
    mock.enqueue(textTurn("Hello there", { id: "msg_a", deltas: ["Hello", " there"] }));
    const res = await a.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "hi" }],
    });
    assert.equal(res.result.turn.status, "inProgress");
    assert.deepEqual(res.result.turn.items, []);
    const done = await a.waitFor((m) => m.method === "turn/completed");
    const got = notes(a, fromA).map(noteLabel);
    assert.deepEqual(got, expectedSimpleTurnOrder());
    assert.equal(done.params.turn.status, "completed");
    assert.equal(done.params.turn.items.length, 2);
    assert.equal(done.params.turn.items[1].text, "Hello there");
    const req = (await mock.waitForRequests(1))[0]!.body as Msg;
    assert.match(JSON.stringify(req.input), /environment_context/);
    // b only sees the broadcasts.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      notes(b, fromB).map((m) => `${m.method}:${m.params.status?.type}`),
      ["thread/status/changed:active", "thread/status/changed:idle"],
    );
    // persisted: file, thread/list, thread/read with turns.
    const list = await a.request("thread/list", { sourceKinds: [] });
    const listed = list.result.data.find((t: Msg) => t.id === id);
    assert.ok(listed, JSON.stringify(list.result));
    assert.equal(listed.preview, "hi");
    const read = await a.request("thread/read", { threadId: id, includeTurns: true });
    assert.equal(read.result.thread.turns.length, 1);
    assert.equal(read.result.thread.turns[0].id, res.result.turn.id);
    assert.equal(read.result.thread.turns[0].items[1].text, "Hello there");
    await a.close();
    await b.close();
  });
});

Deno.test("failed turn: systemError, error, turn/completed failed", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await client(s);
    const id = await startThread(a);
    mock.enqueue(failed("server_error", "boom"));
    const from = a.received.length;
    await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "x" }] });
    const done = await a.waitFor((m) => m.method === "turn/completed");
    assert.equal(done.params.turn.status, "failed");
    assert.match(done.params.turn.error.message, /boom/);
    const seq = notes(a, from).map((m) =>
      m.method === "thread/status/changed" ? m.params.status.type : m.method
    );
    const tail = seq.slice(-3);
    assert.deepEqual(tail, ["systemError", "error", "turn/completed"]);
    const err = notes(a, from).find((m) => m.method === "error")!;
    assert.equal(err.params.willRetry, false);
    await a.close();
  });
});

Deno.test("a dropped stream is retried: error with willRetry, then the turn completes", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await client(s);
    const res = await a.request("thread/start", {
      config: { "model_providers.mock.stream_max_retries": 1 },
    });
    const id = res.result.thread.id;
    // The first stream ends before `response.completed`, as a dropped connection does.
    mock.enqueue(disconnectAfter(2, textTurn("lost")), textTurn("recovered"));
    const from = a.received.length;
    await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "x" }] });
    const done = await a.waitFor((m) => m.method === "turn/completed");
    assert.equal(done.params.turn.status, "completed");
    const answer = done.params.turn.items.filter((i: Msg) => i.type === "agentMessage");
    assert.deepEqual(answer.map((i: Msg) => i.text), ["recovered"]);
    const errors = notes(a, from).filter((m) => m.method === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.params.willRetry, true);
    assert.equal(errors[0]!.params.turnId, done.params.turn.id);
    assert.equal(mock.requests.length, 2);
    await a.close();
  });
});

Deno.test("interrupt during a stalled stream; refusals", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await client(s);
    const id = await startThread(a);
    mock.enqueue(hangAfter(2, textTurn("never finished", { deltas: ["never"] })));
    const empty = await a.request("turn/start", { threadId: id, input: [] });
    assert.equal(empty.error.code, -32600);
    const unknown = await a.request("turn/start", {
      threadId: "01a20167-165e-73d3-a2d4-7438e01d7599",
      input: [{ type: "text", text: "x" }],
    });
    assert.equal(unknown.error.message, "thread not found: 01a20167-165e-73d3-a2d4-7438e01d7599");
    const res = await a.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "x" }],
    });
    const turnId = res.result.turn.id;
    await a.waitFor((m) => m.method === "item/started" && m.params.item.type === "agentMessage");
    const busy = await a.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "y" }],
    });
    assert.equal(busy.error.code, -32600);
    assert.match(busy.error.message, /already running/);
    const wrong = await a.request("turn/interrupt", { threadId: id, turnId: "nope" });
    assert.equal(wrong.error.code, -32600);
    const ok = await a.request("turn/interrupt", { threadId: id, turnId });
    assert.deepEqual(ok.result, {});
    const at = a.received.indexOf(ok);
    const done = await a.waitFor((m) => m.method === "turn/completed");
    assert.ok(a.received.indexOf(done) > at);
    assert.equal(done.params.turn.status, "interrupted");
    await a.close();
  });
});

Deno.test("turn/steer: input joins the running turn before its next model call", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await client(s);
    const id = await startThread(a);
    const none = await a.request("turn/steer", {
      threadId: id,
      input: [{ type: "text", text: "early" }],
      expectedTurnId: "x",
    });
    assert.equal(none.error.code, -32600);
    assert.equal(none.error.message, "no active turn to steer");
    mock.enqueue(turn([stall(400), message("first answer", { id: "msg_1" })]));
    mock.enqueue(textTurn("second answer", { id: "msg_2" }));
    const res = await a.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "start" }],
    });
    const turnId = res.result.turn.id;
    await a.waitFor((m) => m.method === "turn/started");
    // Steer while the model is answering, so the input needs a second model call.
    await mock.waitForRequests(1);
    const wrong = await a.request("turn/steer", {
      threadId: id,
      input: [{ type: "text", text: "nope" }],
      expectedTurnId: "other",
    });
    assert.equal(wrong.error.code, -32600);
    assert.equal(wrong.error.message, `expected active turn id \`other\` but found \`${turnId}\``);
    const steer = await a.request("turn/steer", {
      threadId: id,
      input: [{ type: "text", text: "also this" }],
      expectedTurnId: turnId,
    });
    assert.deepEqual(steer.result, { turnId });
    const done = await a.waitFor((m) => m.method === "turn/completed");
    assert.equal(done.params.turn.status, "completed");
    assert.deepEqual(
      done.params.turn.items.map((i: Msg) => i.type),
      ["userMessage", "agentMessage", "userMessage", "agentMessage"],
    );
    assert.equal(done.params.turn.items[2].content[0].text, "also this");
    const steered = a.received.find((m) =>
      m.method === "item/completed" && m.params.item.type === "userMessage" &&
      m.params.item.content[0].text === "also this"
    );
    assert.ok(steered);
    assert.equal(steered.params.turnId, turnId);
    const reqs = await mock.waitForRequests(2);
    assert.match(JSON.stringify((reqs[1]!.body as Msg).input), /also this/);
    assert.doesNotMatch(JSON.stringify((reqs[0]!.body as Msg).input), /also this/);
    const read = await a.request("thread/read", { threadId: id, includeTurns: true });
    assert.equal(read.result.thread.turns.length, 1);
    assert.equal(read.result.thread.turns[0].items.length, 4);
    await a.close();
  });
});

Deno.test("token counts: the model's context window, and rate limits from response headers", async () => {
  await withThreadServer(async (s, h) => {
    const c = await client(s);
    const threadId = await startThread(c);
    h.mock.enqueue(textTurn("plain"));
    const first = await runTurn(c, threadId, "one");
    const rateLimitsOf = (turnDone: Msg) =>
      c.received.filter((m) =>
        m.method === "account/rateLimits/updated" &&
        c.received.indexOf(m) < c.received.indexOf(turnDone)
      ).map((m) => m.params.rateLimits);
    // A provider without rate-limit headers: the empty snapshot, twice (request start, end).
    assert.deepEqual(
      rateLimitsOf(first),
      [0, 1].map(() => ({
        limitId: "codex",
        limitName: null,
        primary: null,
        secondary: null,
        credits: null,
        planType: null,
      })),
    );
    const usage = c.received.find((m) => m.method === "thread/tokenUsage/updated")!;
    // 95% of the 272k fallback window, as the reference reports for unknown models.
    assert.equal(usage.params.tokenUsage.modelContextWindow, 258_400);

    h.mock.enqueue({
      ...textTurn("limited"),
      headers: {
        "x-codex-primary-used-percent": "12.4",
        "x-codex-primary-window-minutes": "300",
        "x-codex-primary-reset-at": "1767225600",
      },
    });
    const from = c.received.length;
    await runTurn(c, threadId, "two");
    const limited = c.received.slice(from).find((m) => m.method === "account/rateLimits/updated")!;
    assert.deepEqual(limited.params.rateLimits.primary, {
      usedPercent: 12,
      windowDurationMins: 300,
      resetsAt: 1767225600,
    });
  });
});
