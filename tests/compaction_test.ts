/**
 * Black-box tests of context compaction over websockets, with the mock Responses server as
 * the model: `thread/compact/start` (exact notification order, the summarising request, the
 * compacted history of the next request, the rebuilt turn, refusals, failure, interrupt),
 * automatic compaction at `model_auto_compact_token_limit`, and resume after a compaction.
 */

import assert from "node:assert/strict";
import type { Msg, WsClient } from "./support/clients.ts";
import { failed, hangAfter, type MockModelServer, textTurn } from "./support/mock_model.ts";
import type { WsServer } from "./support/ws_helpers.ts";
import {
  connectClient,
  noteLabel,
  runTurn,
  v2Notifications,
  withThreadHarness,
} from "./support/thread_harness.ts";

/** Words of our summarisation prompt (src/core/threads/compaction.ts). */
const PROMPT_MARK = /handoff summary of this conversation/;
/** Words of the prefix our summary message starts with. */
const SUMMARY_MARK = /was compacted to save context/;

const client = (s: WsServer): Promise<WsClient> => connectClient(s);

/** v2 notifications after `from`, as short labels (a turn's end with its status). */
function labels(c: WsClient, from: number): string[] {
  return v2Notifications(c, from).map((m) =>
    m.method === "turn/completed" ? `turn/completed:${m.params.turn.status}` : noteLabel(m)
  );
}

const inputOf = (mock: MockModelServer, n: number) =>
  JSON.stringify((mock.requests[n]!.body as Msg).input);

Deno.test("thread/compact/start: order, prompt, compacted history, rebuilt turn", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const id = (await a.request("thread/start", {})).result.thread.id;
    mock.enqueue(textTurn("OLD ANSWER ONE"));
    await runTurn(a, id, "first question");
    const from = a.received.length;
    mock.enqueue(textTurn("SUMMARY: goals and state"));
    const res = await a.request("thread/compact/start", { threadId: id });
    assert.deepEqual(res.result, {});
    const done = await a.waitFor((m) =>
      m.method === "turn/completed" && a.received.indexOf(m) > from
    );
    assert.ok(a.received.indexOf(res) < a.received.indexOf(done));
    assert.deepEqual(labels(a, from).filter((l) => l !== "thread/compact/start"), [
      "status:active",
      "item/started:contextCompaction",
      // Token counts at the summarising call's start and end (§5.7: TU/RL ×n).
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "item/completed:contextCompaction",
      "thread/compacted",
      "status:idle",
      "turn/completed:completed",
    ]);
    const after = a.received.slice(from);
    const started = after.find((m) => m.method === "item/started")!;
    const compacted = after.find((m) => m.method === "thread/compacted")!;
    const turnId = done.params.turn.id;
    assert.match(started.params.item.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(compacted.params, { threadId: id, turnId });
    assert.equal(started.params.turnId, turnId);
    assert.deepEqual(done.params.turn.items, [{
      type: "contextCompaction",
      id: started.params.item.id,
    }]);
    assert.ok(!after.some((m) => m.method === "turn/started"), "no turn/started");
    // The summarising request: the history, then our prompt; no item of it reached the client.
    const summarising = inputOf(mock, 1);
    assert.match(summarising, /first question/);
    assert.match(summarising, /OLD ANSWER ONE/);
    assert.match(summarising, PROMPT_MARK);
    assert.ok(!after.some((m) => m.method === "item/agentMessage/delta"));
    // The next turn sees the user message and the summary, not the old answer.
    mock.enqueue(textTurn("fresh answer"));
    await runTurn(a, id, "second question");
    const next = inputOf(mock, 2);
    assert.match(next, /first question/);
    assert.match(next, SUMMARY_MARK);
    assert.match(next, /SUMMARY: goals and state/);
    assert.match(next, /second question/);
    assert.doesNotMatch(next, /OLD ANSWER ONE/);
    assert.doesNotMatch(next, PROMPT_MARK);
    assert.equal(next.match(/<environment_context>/g)?.length, 1);
    // Rebuilt from the rollout: the compaction turn holds one contextCompaction item.
    const read = await a.request("thread/read", { threadId: id, includeTurns: true });
    const turns = read.result.thread.turns;
    assert.equal(turns.length, 3);
    assert.equal(turns[1].id, turnId);
    assert.equal(turns[1].status, "completed");
    assert.deepEqual(turns[1].items.map((i: Msg) => i.type), ["contextCompaction"]);
    // The records Codex writes for a compaction, so it can read the thread back.
    const records = (await Deno.readTextFile(read.result.thread.path)).trim().split("\n")
      .map((l) => JSON.parse(l));
    const at = records.findIndex((r) => r.type === "compacted");
    assert.equal(records[at].payload.message, "SUMMARY: goals and state");
    const replacement = JSON.stringify(records[at].payload.replacement_history);
    assert.match(replacement, /first question/);
    assert.doesNotMatch(replacement, /OLD ANSWER ONE/);
    const events = records.map((r) => r.type === "event_msg" ? r.payload.type : r.type);
    const begin = events.lastIndexOf("task_started", at);
    assert.equal(records[begin].payload.turn_id, turnId);
    assert.deepEqual(events.slice(begin, at + 3), [
      "task_started",
      "token_count",
      "token_count",
      "compacted",
      "context_compacted",
      "task_complete",
    ]);
    await a.close();
  });
});

Deno.test("thread/compact/start: refusals and interrupt", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const unknown = "01a20167-165e-73d3-a2d4-7438e01d7599";
    const missing = await a.request("thread/compact/start", { threadId: unknown });
    assert.equal(missing.error.code, -32600);
    assert.equal(missing.error.message, `thread not found: ${unknown}`);
    const id = (await a.request("thread/start", {})).result.thread.id;
    mock.enqueue(hangAfter(2, textTurn("never", { deltas: ["never"] })));
    const turn = await a.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "x" }],
    });
    await a.waitFor((m) => m.method === "item/started" && m.params.item.type === "agentMessage");
    const busy = await a.request("thread/compact/start", { threadId: id });
    assert.equal(busy.error.code, -32600);
    assert.match(busy.error.message, /^failed to start compaction: a turn is already running/);
    await a.request("turn/interrupt", { threadId: id, turnId: turn.result.turn.id });
    await a.waitFor((m) => m.method === "turn/completed");
    // A compaction turn is a real turn: it blocks turn/start and can be interrupted.
    const from = a.received.length;
    mock.enqueue(hangAfter(1, textTurn("summary never ends")));
    assert.deepEqual((await a.request("thread/compact/start", { threadId: id })).result, {});
    const started = await a.waitFor((m) =>
      m.method === "item/started" && m.params.item.type === "contextCompaction"
    );
    await mock.waitForRequests(2);
    const blocked = await a.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "y" }],
    });
    assert.match(blocked.error.message, /already running/);
    // A client attaching now sees the compaction turn running, with its item.
    const b = await client(s);
    const resumed = await b.request("thread/resume", { threadId: id });
    assert.equal(resumed.result.thread.status.type, "active");
    const running = resumed.result.thread.turns.at(-1);
    assert.equal(running.id, started.params.turnId);
    assert.equal(running.status, "inProgress");
    assert.deepEqual(running.items, [started.params.item]);
    const stop = await a.request("turn/interrupt", {
      threadId: id,
      turnId: started.params.turnId,
    });
    assert.deepEqual(stop.result, {});
    const done = await a.waitFor((m) =>
      m.method === "turn/completed" && a.received.indexOf(m) > from
    );
    assert.equal(done.params.turn.status, "interrupted");
    assert.ok(!a.received.slice(from).some((m) => m.method === "thread/compacted"));
    await b.waitFor((m) => m.method === "turn/completed");
    await a.close();
    await b.close();
  });
});

Deno.test("thread/compact/start: a model error fails the turn, history unchanged", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const id = (await a.request("thread/start", {})).result.thread.id;
    mock.enqueue(textTurn("KEPT ANSWER"));
    await runTurn(a, id, "question");
    const from = a.received.length;
    mock.enqueue(failed("server_error", "summary boom"));
    await a.request("thread/compact/start", { threadId: id });
    const done = await a.waitFor((m) =>
      m.method === "turn/completed" && a.received.indexOf(m) > from
    );
    assert.equal(done.params.turn.status, "failed");
    assert.match(done.params.turn.error.message, /summary boom/);
    assert.deepEqual(labels(a, from).filter((l) => l !== "thread/compact/start"), [
      "status:active",
      "item/started:contextCompaction",
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "status:systemError",
      "error",
      "turn/completed:failed",
    ]);
    mock.enqueue(textTurn("after failure"));
    await runTurn(a, id, "again");
    const next = inputOf(mock, 2);
    assert.match(next, /KEPT ANSWER/);
    assert.doesNotMatch(next, SUMMARY_MARK);
    const read = await a.request("thread/read", { threadId: id, includeTurns: true });
    assert.deepEqual(read.result.thread.turns.map((t: Msg) => t.status), [
      "completed",
      "failed",
      "completed",
    ]);
    await a.close();
  });
});

Deno.test("auto-compaction at model_auto_compact_token_limit, inside the turn", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const id = (await a.request("thread/start", {})).result.thread.id;
    // Below the limit: no compaction.
    mock.enqueue(textTurn("SMALL ANSWER", { usage: { inputTokens: 400, outputTokens: 100 } }));
    await runTurn(a, id, "one");
    mock.enqueue(textTurn("BIG ANSWER", { usage: { inputTokens: 4000, outputTokens: 1000 } }));
    await runTurn(a, id, "two");
    assert.equal(mock.requests.length, 2);
    assert.ok(!a.received.some((m) => m.method === "thread/compacted"));
    // The last response reached the limit: the next turn compacts before its model call.
    const from = a.received.length;
    mock.enqueue(textTurn("AUTO SUMMARY"), textTurn("answer three", { deltas: ["answer three"] }));
    const done = await runTurn(a, id, "three");
    assert.deepEqual(labels(a, from).filter((l) => l !== "turn/start"), [
      "turn/started",
      "status:active",
      "item/started:userMessage",
      "item/completed:userMessage",
      "item/started:contextCompaction",
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "item/completed:contextCompaction",
      "thread/compacted",
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "item/started:agentMessage",
      "item/agentMessage/delta",
      "item/completed:agentMessage",
      "thread/tokenUsage/updated",
      "account/rateLimits/updated",
      "status:idle",
      "turn/completed:completed",
    ]);
    assert.deepEqual(done.params.turn.items.map((i: Msg) => i.type), [
      "userMessage",
      "contextCompaction",
      "agentMessage",
    ]);
    const compacted = a.received.slice(from).find((m) => m.method === "thread/compacted")!;
    assert.equal(compacted.params.turnId, done.params.turn.id);
    assert.match(inputOf(mock, 2), PROMPT_MARK);
    const next = inputOf(mock, 3);
    assert.match(next, /AUTO SUMMARY/);
    assert.match(next, /"three"/);
    assert.doesNotMatch(next, /BIG ANSWER|SMALL ANSWER/);
    // The compacted context is small again: the turn after makes a single call.
    mock.enqueue(textTurn("answer four"));
    await runTurn(a, id, "four");
    assert.equal(mock.requests.length, 5);
    await a.close();
  }, { config: "model_auto_compact_token_limit = 1000\n" });
});

Deno.test("resume after a restart sends the compacted history", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const first = await start();
    const a = await client(first);
    const id = (await a.request("thread/start", {})).result.thread.id;
    mock.enqueue(textTurn("PRE ANSWER"));
    await runTurn(a, id, "before compaction");
    mock.enqueue(textTurn("RESUMED SUMMARY"));
    await a.request("thread/compact/start", { threadId: id });
    await a.waitFor((m) => m.method === "thread/compacted");
    await a.waitFor((m) =>
      m.method === "turn/completed" && m.params.turn.items[0]?.type === "contextCompaction"
    );
    await a.close();
    await first.server.close();

    const second = await start();
    const b = await client(second);
    const res = await b.request("thread/resume", { threadId: id });
    assert.ok(res.result, JSON.stringify(res));
    assert.deepEqual(
      res.result.thread.turns.map((t: Msg) => t.items.map((i: Msg) => i.type)),
      [["userMessage", "agentMessage"], ["contextCompaction"]],
    );
    mock.enqueue(textTurn("after resume"));
    await runTurn(b, id, "after restart");
    const next = inputOf(mock, 2);
    assert.match(next, /before compaction/);
    assert.match(next, /RESUMED SUMMARY/);
    assert.match(next, /after restart/);
    assert.doesNotMatch(next, /PRE ANSWER/);
    assert.equal(next.match(/<environment_context>/g)?.length, 1);
    await b.close();
  });
});
