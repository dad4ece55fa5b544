/**
 * Black-box tests of turns over stdio (the other turn tests use websockets): the exact
 * notification order of a simple turn and of a turn with reasoning, the response before any
 * of the turn's notifications, and `thread/resume` after a restart, with the earlier turn sent
 * back to the model.
 */

import assert from "node:assert/strict";
import type { Msg, StdioClient } from "./support/clients.ts";
import { message, reasoning, textTurn, turn } from "./support/mock_model.ts";
import { assertWellFormedOutput } from "./support/stdio_helpers.ts";
import {
  expectedSimpleTurnOrder,
  noteLabel,
  v2Notifications,
  withThreadHarness,
} from "./support/thread_harness.ts";

function ok(reply: Msg): Msg {
  assert.ok(reply.result, JSON.stringify(reply));
  return reply.result;
}

/**
 * Notifications from index `from` on, as short labels. The legacy `codex/event/*` stream
 * (protocol §2.4) is interleaved with these and left out: this checks the v2 order.
 */
function labels(c: StdioClient, from: number): string[] {
  return v2Notifications(c, from).map(noteLabel);
}

Deno.test("stdio: simple turn, exact notification order and the persisted result", async () => {
  await withThreadHarness(async ({ mock, startStdio }) => {
    const { client: c } = await startStdio();
    const from0 = c.received.length;
    const started = ok(await c.request("thread/start", {}));
    const id: string = started.thread.id;
    await c.waitFor((m) => m.method === "thread/started");
    assert.deepEqual(labels(c, from0), ["status:idle", "thread/started"]);

    mock.enqueue(textTurn("Hello there", { id: "msg_stdio", deltas: ["Hello", " there"] }));
    const from = c.received.length;
    const res = await c.request("turn/start", {
      threadId: id,
      input: [{ type: "text", text: "hi" }],
    });
    const turnId: string = ok(res).turn.id;
    assert.equal(res.result.turn.status, "inProgress");
    assert.equal(c.received.indexOf(res), from, "the response precedes every turn notification");
    const done = await c.waitFor((m) => m.method === "turn/completed");
    assert.deepEqual(labels(c, from), expectedSimpleTurnOrder());
    const notes = c.received.slice(from).filter((m) =>
      "method" in m && !m.method.startsWith("codex/event/")
    );
    for (const m of notes.filter((n) => n.method.startsWith("item/"))) {
      assert.equal(m.params.threadId, id, m.method);
      assert.equal(m.params.turnId, turnId, m.method);
    }
    const user = notes.find((m) => m.method === "item/completed")!.params.item;
    assert.deepEqual(user.content, [{ type: "text", text: "hi", text_elements: [] }]);
    const agentStarted = notes.find((m) =>
      m.method === "item/started" && m.params.item.type === "agentMessage"
    )!;
    assert.deepEqual(agentStarted.params.item, {
      type: "agentMessage",
      id: "msg_stdio",
      text: "",
      phase: null,
    });
    assert.deepEqual(
      notes.filter((m) => m.method === "item/agentMessage/delta").map((m) => m.params.delta),
      ["Hello", " there"],
    );
    assert.ok(
      notes.filter((m) => m.method === "item/agentMessage/delta").every((m) =>
        m.params.itemId === "msg_stdio"
      ),
    );
    assert.equal(done.params.turn.id, turnId);
    assert.equal(done.params.turn.status, "completed");
    assert.equal(done.params.turn.error, null);
    assert.equal(done.params.turn.items.at(-1).text, "Hello there");

    const read = ok(await c.request("thread/read", { threadId: id, includeTurns: true }));
    assert.deepEqual(read.thread.turns.map((t: Msg) => [t.id, t.status]), [[turnId, "completed"]]);
    assert.deepEqual(read.thread.status, { type: "idle" });
    assertWellFormedOutput(c);
  });
});

Deno.test("stdio: reasoning then a streamed message, in order", async () => {
  await withThreadHarness(async ({ mock, startStdio }) => {
    const { client: c } = await startStdio();
    const id: string = ok(await c.request("thread/start", {})).thread.id;
    mock.enqueue(turn([
      reasoning({ id: "rs_stdio", summary: ["Pondering"] }),
      message("Done", { id: "msg_after", deltas: ["Do", "ne"] }),
    ]));
    const from = c.received.length;
    ok(await c.request("turn/start", { threadId: id, input: [{ type: "text", text: "think" }] }));
    const done = await c.waitFor((m) => m.method === "turn/completed");
    const got = labels(c, from);
    const firstReasoning = got.indexOf("item/started:reasoning");
    const lastReasoning = got.indexOf("item/completed:reasoning");
    assert.ok(firstReasoning > got.indexOf("item/completed:userMessage"), got.join());
    assert.deepEqual(got.slice(firstReasoning, lastReasoning + 1), [
      "item/started:reasoning",
      "item/reasoning/summaryPartAdded",
      "item/reasoning/summaryTextDelta",
      "item/completed:reasoning",
    ]);
    assert.deepEqual(got.slice(lastReasoning + 1, lastReasoning + 5), [
      "item/started:agentMessage",
      "item/agentMessage/delta",
      "item/agentMessage/delta",
      "item/completed:agentMessage",
    ]);
    const completed = c.received.find((m) =>
      m.method === "item/completed" && m.params.item.type === "reasoning"
    )!;
    assert.equal(completed.params.item.id, "rs_stdio");
    assert.deepEqual(completed.params.item.summary, ["Pondering"]);
    assert.deepEqual(
      done.params.turn.items.map((i: Msg) => i.type),
      ["userMessage", "reasoning", "agentMessage"],
    );
  });
});

Deno.test("stdio: resume after a restart gives the turns back and the model the history", async () => {
  await withThreadHarness(async ({ mock, startStdio }) => {
    const first = await startStdio();
    const id: string = ok(await first.client.request("thread/start", {})).thread.id;
    mock.enqueue(textTurn("First answer", { deltas: ["First", " answer"] }));
    const t1 = ok(
      await first.client.request("turn/start", {
        threadId: id,
        input: [{ type: "text", text: "first question" }],
      }),
    ).turn.id;
    await first.client.waitFor((m) => m.method === "turn/completed");
    await first.client.closeInput();
    const status = await first.server.exited();
    assert.equal(status.code, 0, "stdin EOF ends the server cleanly");

    const { client: c } = await startStdio();
    const from = c.received.length;
    const res = await c.request("thread/resume", { threadId: id });
    const thread = ok(res).thread;
    const statusAt = c.received.findIndex((m, i) =>
      i >= from && m.method === "thread/status/changed" && m.params.threadId === id
    );
    assert.ok(statusAt >= 0 && statusAt < c.received.indexOf(res), "idle before the response");
    assert.deepEqual(thread.status, { type: "idle" });
    assert.equal(thread.preview, "first question");
    assert.deepEqual(thread.turns.map((t: Msg) => [t.id, t.status]), [[t1, "completed"]]);
    assert.deepEqual(thread.turns[0].items.map((i: Msg) => i.type), [
      "userMessage",
      "agentMessage",
    ]);
    assert.equal(thread.turns[0].items[1].text, "First answer");

    mock.enqueue(textTurn("Second answer"));
    const from2 = c.received.length;
    const t2 = ok(
      await c.request("turn/start", {
        threadId: id,
        input: [{ type: "text", text: "second question" }],
      }),
    ).turn.id;
    const done = await c.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === t2);
    assert.equal(done.params.turn.status, "completed");
    // Resuming subscribed this connection: it gets the items of the new turn.
    assert.ok(labels(c, from2).includes("item/completed:agentMessage"));
    assert.ok(!c.received.some((m) => m.method === "thread/started"), "no thread/started");
    const input = JSON.stringify((mock.requests[1]!.body as Msg).input);
    for (const text of ["first question", "First answer", "second question"]) {
      assert.ok(input.includes(text), `the model request lacks ${text}`);
    }
    assert.equal(input.match(/<environment_context>/g)?.length, 1);

    // A second resume on the same connection is a snapshot of the loaded thread.
    const again = ok(await c.request("thread/resume", { threadId: id }));
    assert.deepEqual(again.thread.turns.map((t: Msg) => t.id), [t1, t2]);
    assertWellFormedOutput(c);
  });
});
