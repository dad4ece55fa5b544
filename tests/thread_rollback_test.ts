/**
 * Black-box tests of `thread/rollback` over websockets, with the mock Responses server as
 * the model: dropped turns leave the response and the next model request, token usage is
 * reported before the response, the marker is in the rollout and survives a restart and
 * resume (turns and model history both), and the error texts.
 */

import assert from "node:assert/strict";
import type { Msg, WsClient } from "./support/clients.ts";
import { hangAfter, type MockModelServer, textTurn } from "./support/mock_model.ts";
import type { WsServer } from "./support/ws_helpers.ts";
import { connectClient, lastInput, runTurn, withThreadHarness } from "./support/thread_harness.ts";

const client = (s: WsServer): Promise<WsClient> => connectClient(s);

/** A thread with turns `q1`/`a1`, `q2`/`a2`, `q3`/`a3`. */
async function threeTurns(c: WsClient, mock: MockModelServer): Promise<Msg> {
  const thread = (await c.request("thread/start", {})).result.thread;
  for (const n of [1, 2, 3]) {
    mock.enqueue(textTurn(`answer-${n}`));
    await runTurn(c, thread.id, `question-${n}`);
  }
  return thread;
}

function turnTexts(turns: Msg[]): string[] {
  return turns.map((t) => t.items[0].content[0].text);
}

Deno.test("rollback drops turns from the thread and from the model's context", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const c = await client(s);
    const thread = await threeTurns(c, mock);
    const res = await c.request("thread/rollback", { threadId: thread.id, numTurns: 1 });
    assert.ok(res.result, JSON.stringify(res));
    assert.equal(res.result.thread.id, thread.id);
    assert.equal(res.result.thread.status.type, "idle");
    const turns = res.result.thread.turns;
    assert.deepEqual(turnTexts(turns), ["question-1", "question-2"]);
    const usage = c.received.findLast((m) => m.method === "thread/tokenUsage/updated");
    assert.ok(usage && c.received.indexOf(usage) < c.received.indexOf(res), "usage first");
    assert.equal(usage.params.threadId, thread.id);
    assert.equal(usage.params.turnId, turns[1].id);
    assert.equal(usage.params.tokenUsage.total.totalTokens, 45, "three turns of 15 tokens");
    assert.ok(usage.params.tokenUsage.last.totalTokens > 0, "remaining context estimated");

    const lines = (await Deno.readTextFile(thread.path)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines.at(-1).payload, { type: "thread_rolled_back", num_turns: 1 });

    mock.enqueue(textTurn("answer-4"));
    await runTurn(c, thread.id, "question-4");
    const input = lastInput(mock);
    for (const kept of ["question-1", "answer-1", "question-2", "answer-2", "question-4"]) {
      assert.match(input, new RegExp(kept));
    }
    assert.doesNotMatch(input, /question-3|answer-3/);
    assert.equal(input.match(/<environment_context>/g)?.length, 1);
    const read = await c.request("thread/read", { threadId: thread.id, includeTurns: true });
    assert.deepEqual(turnTexts(read.result.thread.turns), [
      "question-1",
      "question-2",
      "question-4",
    ]);

    // More turns than there are: all go, the environment context stays.
    const all = await c.request("thread/rollback", { threadId: thread.id, numTurns: 10 });
    assert.deepEqual(all.result.thread.turns, []);
    const none = c.received.findLast((m) => m.method === "thread/tokenUsage/updated");
    assert.equal(none?.params.turnId, "");
    mock.enqueue(textTurn("answer-5"));
    await runTurn(c, thread.id, "question-5");
    const fresh = lastInput(mock);
    assert.doesNotMatch(fresh, /question-[1-4]|answer-[1-4]/);
    assert.equal(fresh.match(/<environment_context>/g)?.length, 1);
    await c.close();
  });
});

Deno.test("rollback survives a restart: resume replays the marker", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const first = await start();
    const a = await client(first);
    const thread = await threeTurns(a, mock);
    const res = await a.request("thread/rollback", { threadId: thread.id, numTurns: 2 });
    assert.deepEqual(turnTexts(res.result.thread.turns), ["question-1"]);
    await a.close();
    await first.server.close();

    const second = await start();
    const b = await client(second);
    const resumed = await b.request("thread/resume", { threadId: thread.id });
    assert.ok(resumed.result, JSON.stringify(resumed));
    assert.deepEqual(turnTexts(resumed.result.thread.turns), ["question-1"]);
    mock.enqueue(textTurn("answer-4"));
    await runTurn(b, thread.id, "question-4");
    const input = lastInput(mock);
    assert.match(input, /question-1/);
    assert.match(input, /answer-1/);
    assert.doesNotMatch(input, /question-2|answer-2|question-3|answer-3/);
    assert.equal(input.match(/<environment_context>/g)?.length, 1);

    // A fork copies the marker too.
    const fork = await b.request("thread/fork", { threadId: thread.id });
    assert.deepEqual(turnTexts(fork.result.thread.turns), ["question-1", "question-4"]);
    await b.close();
  });
});

Deno.test("rollback errors", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const c = await client(s);
    const thread = (await c.request("thread/start", {})).result.thread;
    const zero = await c.request("thread/rollback", { threadId: thread.id, numTurns: 0 });
    assert.equal(zero.error.code, -32600);
    assert.equal(zero.error.message, "numTurns must be >= 1");
    const unknown = "01a20167-165e-73d3-a2d4-7438e01d7599";
    const missing = await c.request("thread/rollback", { threadId: unknown, numTurns: 1 });
    assert.equal(missing.error.code, -32600);
    assert.equal(missing.error.message, `thread not found: ${unknown}`);

    mock.enqueue(hangAfter(1, textTurn("never")));
    const started = await c.request("turn/start", {
      threadId: thread.id,
      input: [{ type: "text", text: "hang" }],
    });
    await c.waitFor((m) => m.method === "turn/started");
    const busy = await c.request("thread/rollback", { threadId: thread.id, numTurns: 1 });
    assert.equal(busy.error.code, -32600);
    assert.equal(busy.error.message, "Cannot rollback while a turn is in progress.");
    await c.request("turn/interrupt", { threadId: thread.id, turnId: started.result.turn.id });
    await c.waitFor((m) => m.method === "turn/completed");
    const after = await c.request("thread/rollback", { threadId: thread.id, numTurns: 1 });
    assert.ok(after.result, JSON.stringify(after));
    assert.deepEqual(after.result.thread.turns, []);
    await c.close();
  });
});
