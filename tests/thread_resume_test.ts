/**
 * Black-box tests of `thread/resume` and `thread/unsubscribe` over websockets, with the mock
 * Responses server as the model: resuming after a server restart (the model gets the earlier
 * turn back), attaching mid-turn (snapshot plus live deltas give the text exactly once),
 * overrides ignored for a loaded thread, the error texts, and unsubscribe results.
 */

import assert from "node:assert/strict";
import type { Msg, WsClient } from "./support/clients.ts";
import {
  message,
  responseCompleted,
  responseCreated,
  stall,
  textTurn,
} from "./support/mock_model.ts";
import type { WsServer } from "./support/ws_helpers.ts";
import { connectClient, runTurn, withThreadHarness } from "./support/thread_harness.ts";

/** An initialized client; an experimental one introduces itself as `t` version 1. */
const client = (s: WsServer, experimentalApi = false): Promise<WsClient> =>
  connectClient(s, experimentalApi ? { name: "t", version: "1", experimentalApi } : {});

Deno.test("resume after a restart: turns come back and the model gets the history", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const first = await start();
    const a = await client(first);
    const id = (await a.request("thread/start", {})).result.thread.id;
    mock.enqueue(textTurn("First answer"));
    await runTurn(a, id, "first question");
    await a.close();
    await first.server.close();

    const second = await start();
    const b = await client(second);
    const from = b.received.length;
    const res = await b.request("thread/resume", { threadId: id });
    assert.ok(res.result, JSON.stringify(res));
    const status = b.received.findIndex((m, i) =>
      i >= from && m.method === "thread/status/changed" && m.params.threadId === id
    );
    assert.ok(status >= 0 && status < b.received.indexOf(res), "idle status before the response");
    assert.equal(b.received[status]!.params.status.type, "idle");
    assert.equal(res.result.thread.status.type, "idle");
    assert.equal(res.result.model, "mock-model");
    assert.equal(res.result.thread.preview, "first question");
    assert.equal(res.result.thread.turns.length, 1);
    assert.equal(res.result.thread.turns[0].items[1].text, "First answer");
    mock.enqueue(textTurn("Second answer"));
    const done = await runTurn(b, id, "second question");
    assert.equal(done.params.turn.status, "completed");
    const body = mock.requests[1]!.body as Msg;
    const input = JSON.stringify(body.input);
    assert.match(input, /first question/);
    assert.match(input, /First answer/);
    assert.match(input, /second question/);
    assert.equal(input.match(/<environment_context>/g)?.length, 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!b.received.some((m) => m.method === "thread/started"), "no thread/started");
    const read = await b.request("thread/read", { threadId: id, includeTurns: true });
    assert.equal(read.result.thread.turns.length, 2);
    await b.close();
  });
});

Deno.test("resume while streaming: snapshot plus deltas give the text once", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const b = await client(s);
    const id = (await a.request("thread/start", {})).result.thread.id;
    const [added, d1, d2, d3, d4, done] = message("Hello world", {
      id: "msg_live",
      deltas: ["He", "llo", " wor", "ld"],
    });
    mock.enqueue({
      steps: [
        responseCreated("resp_live"),
        added!,
        d1!,
        d2!,
        stall(400),
        d3!,
        d4!,
        done!,
        responseCompleted("resp_live"),
      ],
    });
    await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "go" }] });
    await a.waitFor((m) => m.method === "item/agentMessage/delta" && m.params.delta === "llo");
    const res = await b.request("thread/resume", { threadId: id, model: "other-model" });
    assert.ok(res.result, JSON.stringify(res));
    assert.equal(res.result.model, "mock-model", "overrides are ignored for a loaded thread");
    assert.equal(res.result.thread.status.type, "active");
    const turn = res.result.thread.turns.at(-1);
    assert.equal(turn.status, "inProgress");
    const snapshot = turn.items.find((i: Msg) => i.id === "msg_live");
    assert.ok(snapshot, JSON.stringify(turn));
    const at = b.received.indexOf(res);
    const completed = await b.waitFor((m) => m.method === "turn/completed");
    const deltas = b.received.filter((m) => m.method === "item/agentMessage/delta");
    assert.ok(deltas.every((m) => b.received.indexOf(m) > at), "no delta before the response");
    assert.equal(snapshot.text + deltas.map((m) => m.params.delta).join(""), "Hello world");
    assert.equal(completed.params.turn.items.at(-1).text, "Hello world");
    await a.close();
    await b.close();
  });
});

Deno.test("resume errors", async () => {
  await withThreadHarness(async ({ start }) => {
    const s = await start();
    const c = await client(s, true);
    const unknown = "01a20167-165e-73d3-a2d4-7438e01d7599";
    const missing = await c.request("thread/resume", { threadId: unknown });
    assert.equal(missing.error.code, -32600);
    assert.equal(missing.error.message, `no rollout found for thread id ${unknown}`);
    // A thread that never got a user message has no rollout either.
    const fresh = (await c.request("thread/start", {})).result.thread;
    const other = await client(s);
    const lazy = await other.request("thread/resume", { threadId: fresh.id });
    assert.ok(lazy.result, "a loaded thread resumes even before its rollout exists");
    const history = await c.request("thread/resume", {
      threadId: unknown,
      history: [{ type: "message", role: "user", content: [] }, { role: "user" }],
    });
    assert.equal(history.error.code, -32600);
    assert.equal(
      history.error.message,
      "Invalid request: missing field `type` (at `history[1].type`)",
    );
    const gated = await other.request("thread/resume", { threadId: unknown, path: "/x" });
    assert.equal(gated.error.code, -32600);
    assert.match(gated.error.message, /thread\/resume\.path/);
    await c.close();
    await other.close();
  });
});

Deno.test("unsubscribe: results, and no more item events", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const b = await client(s);
    const id = (await a.request("thread/start", {})).result.thread.id;
    const notLoaded = await b.request("thread/unsubscribe", {
      threadId: "01a20167-165e-73d3-a2d4-7438e01d7599",
    });
    assert.deepEqual(notLoaded.result, { status: "notLoaded" });
    const notSubscribed = await b.request("thread/unsubscribe", { threadId: id });
    assert.deepEqual(notSubscribed.result, { status: "notSubscribed" });
    assert.ok((await b.request("thread/resume", { threadId: id })).result);
    const gone = await b.request("thread/unsubscribe", { threadId: id });
    assert.deepEqual(gone.result, { status: "unsubscribed" });
    const from = b.received.length;
    mock.enqueue(textTurn("hi", { deltas: ["hi"] }));
    await runTurn(a, id, "x");
    await new Promise((r) => setTimeout(r, 100));
    const seen = b.received.slice(from).map((m) => m.method);
    assert.ok(!seen.some((m) => m?.startsWith("item/") || m === "turn/completed"), `${seen}`);
    assert.ok(seen.includes("thread/status/changed"), "broadcasts still arrive");
    await a.close();
    await b.close();
  });
});

Deno.test("resume with history: a new thread whose model context is the given items", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const c = await client(s, true);
    const requested = "01a20167-165e-73d3-a2d4-7438e01d7598";
    const res = await c.request("thread/resume", {
      threadId: requested,
      history: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "hello there" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "hi back" }] },
      ],
    });
    const thread = res.result.thread;
    assert.notEqual(thread.id, requested, "history makes a new thread, as in the reference");
    assert.equal(thread.preview, "hello there");
    assert.deepEqual(thread.turns, []);
    const lines = (await Deno.readTextFile(thread.path)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(lines[0].type, "session_meta");
    assert.deepEqual(lines.slice(1, 3).map((l) => l.payload.role), ["user", "assistant"]);
    const listed = await c.request("thread/list", {});
    assert.ok(listed.result.data.some((t: Msg) => t.id === thread.id), "listed at once");
    mock.enqueue(textTurn("again"));
    await runTurn(c, thread.id, "next");
    const input = (mock.requests.at(-1)!.body as Msg).input as Msg[];
    const texts = input.map((i) => i.content?.[0]?.text);
    assert.ok(texts.indexOf("hello there") < texts.indexOf("hi back"));
    assert.ok(texts.indexOf("hi back") < texts.indexOf("next"));
    await c.close();
  });
});
