/**
 * Black-box tests of notification routing between several websocket connections: the thread's
 * creator and a connection that resumed it both get the whole turn, an initialized bystander
 * gets only the broadcasts; a subscriber that disconnects mid-turn costs the others nothing;
 * and a new connection resuming mid-turn gets a snapshot and then only the later deltas.
 *
 * (Resuming a streaming turn from a second live connection, and `thread/unsubscribe`, are in
 * `thread_resume_test.ts`; the single-subscriber turn order is in `turn_test.ts`.)
 */

import assert from "node:assert/strict";
import type { Msg, WsClient } from "./support/clients.ts";
import {
  message,
  type MockScript,
  responseCompleted,
  responseCreated,
  stall,
  textTurn,
} from "./support/mock_model.ts";
import { sleep, type WsServer } from "./support/ws_helpers.ts";
import {
  connectClient,
  expectedSimpleTurnOrder,
  isNotification,
  noteLabel,
  withThreadServer,
} from "./support/thread_harness.ts";

const connect = (s: WsServer): Promise<WsClient> => connectClient(s);

function ok(reply: Msg): Msg {
  assert.ok(reply.result, JSON.stringify(reply));
  return reply.result;
}

/** Notifications from `from` on (no configWarning), as short labels. */
function labels(c: WsClient, from = 0): string[] {
  return c.received.slice(from).filter(isNotification).map(noteLabel);
}

/** A streamed answer "Hello world" in four deltas, with a pause after the second. */
function pausedTurn(msgId: string, pauseMs: number): MockScript {
  const [added, d1, d2, d3, d4, done] = message("Hello world", {
    id: msgId,
    deltas: ["He", "llo", " wor", "ld"],
  });
  return {
    steps: [
      responseCreated(`resp_${msgId}`),
      added!,
      d1!,
      d2!,
      stall(pauseMs),
      d3!,
      d4!,
      done!,
      responseCompleted(`resp_${msgId}`),
    ],
  };
}

const deltasOf = (c: WsClient, turnId: string, from = 0): string[] =>
  c.received.slice(from).filter((m) =>
    m.method === "item/agentMessage/delta" && m.params.turnId === turnId
  ).map((m) => m.params.delta);

Deno.test("routing: creator and resumer get the turn, a bystander only the broadcasts", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await connect(s);
    const b = await connect(s);
    const c = await connect(s);
    try {
      const fromC = c.received.length;
      const id: string = ok(await a.request("thread/start", {})).thread.id;
      for (const x of [a, b, c]) {
        await x.waitFor((m) => m.method === "thread/started" && m.params.thread.id === id);
      }
      const resumed = ok(await b.request("thread/resume", { threadId: id }));
      assert.equal(resumed.thread.id, id);

      mock.enqueue(textTurn("Hello there", { id: "msg_route", deltas: ["Hello", " there"] }));
      const fromA = a.received.length;
      const fromB = b.received.length;
      const turnId: string = ok(
        await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "hi" }] }),
      ).turn.id;
      const isDone = (m: Msg) => m.method === "turn/completed" && m.params.turn.id === turnId;
      const doneA = await a.waitFor(isDone);
      const doneB = await b.waitFor(isDone);
      assert.deepEqual(doneB.params, doneA.params);
      const expected = expectedSimpleTurnOrder();
      const v2 = (l: string) => !l.startsWith("codex/event/");
      assert.deepEqual(labels(a, fromA).filter(v2), expected);
      assert.deepEqual(labels(b, fromB).filter(v2), expected);
      // The legacy stream, when sent, goes to subscribers alike.
      assert.deepEqual(
        labels(b, fromB).filter((l) => !v2(l)),
        labels(a, fromA).filter((l) => !v2(l)),
      );
      assert.deepEqual(deltasOf(b, turnId), ["Hello", " there"]);

      await sleep(150);
      assert.deepEqual(labels(c, fromC), [
        "status:idle",
        "thread/started",
        "status:active",
        "status:idle",
      ]);
    } finally {
      for (const x of [a, b, c]) await x.close();
    }
  });
});

Deno.test("routing: thread/name/updated reaches the subscribers of a loaded thread only", async () => {
  // Protocol §3.1/§3.3: thread-scoped, after the response, even when a bystander renames.
  await withThreadServer(async (s, { mock }) => {
    const a = await connect(s);
    const b = await connect(s);
    const c = await connect(s);
    try {
      const id: string = ok(await a.request("thread/start", {})).thread.id;
      ok(await b.request("thread/resume", { threadId: id }));
      mock.enqueue(textTurn("Hello"));
      const turnId: string = ok(
        await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "hi" }] }),
      ).turn.id;
      await a.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === turnId);
      const fromC = c.received.length;
      const res = await c.request("thread/name/set", { threadId: id, name: "  Routed " });
      assert.deepEqual(ok(res), {});
      for (const x of [a, b]) {
        const note = await x.waitFor(
          (m) => m.method === "thread/name/updated",
          "thread/name/updated",
          3_000,
        );
        assert.deepEqual(note.params, { threadId: id, threadName: "Routed" });
      }
      await sleep(100);
      assert.deepEqual(labels(c, fromC), []);
      const read = ok(await a.request("thread/read", { threadId: id }));
      assert.equal(read.thread.name, "Routed");
    } finally {
      for (const x of [a, b, c]) await x.close();
    }
  });
});

Deno.test("routing: a subscriber leaving mid-turn costs the others nothing; a newcomer resumes mid-turn", async () => {
  await withThreadServer(async (s, { mock }) => {
    const a = await connect(s);
    const b = await connect(s);
    let b2: WsClient | null = null;
    try {
      const id: string = ok(await a.request("thread/start", {})).thread.id;
      await a.waitFor((m) => m.method === "thread/started" && m.params.thread.id === id);
      ok(await b.request("thread/resume", { threadId: id }));

      // Turn 1: b disconnects while the stream pauses; a still gets all of it.
      mock.enqueue(pausedTurn("msg_t1", 300));
      const fromA = a.received.length;
      const t1: string = ok(
        await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "one" }] }),
      ).turn.id;
      await b.waitFor((m) => m.method === "item/agentMessage/delta" && m.params.delta === "llo");
      await b.close();
      const done1 = await a.waitFor((m) =>
        m.method === "turn/completed" && m.params.turn.id === t1
      );
      assert.equal(done1.params.turn.status, "completed");
      assert.deepEqual(deltasOf(a, t1), ["He", "llo", " wor", "ld"]);
      assert.deepEqual(
        labels(a, fromA).filter((l) => !l.startsWith("codex/event/") && !l.endsWith("/delta")),
        [
          "turn/started",
          "status:active",
          "item/started:userMessage",
          "item/completed:userMessage",
          "account/rateLimits/updated",
          "item/started:agentMessage",
          "item/completed:agentMessage",
          "thread/tokenUsage/updated",
          "account/rateLimits/updated",
          "status:idle",
          "turn/completed",
        ],
      );

      // Turn 2: a newcomer sees only broadcasts until it resumes mid-turn, then a snapshot
      // and the deltas after it; a's stream is unchanged by the new subscriber.
      b2 = await connect(s);
      const from2 = b2.received.length;
      mock.enqueue(pausedTurn("msg_t2", 400));
      const fromA2 = a.received.length;
      const t2: string = ok(
        await a.request("turn/start", { threadId: id, input: [{ type: "text", text: "two" }] }),
      ).turn.id;
      await a.waitFor((m) =>
        m.method === "item/agentMessage/delta" && m.params.turnId === t2 &&
        m.params.delta === "llo"
      );
      assert.ok(
        !b2.received.slice(from2).some((m) =>
          typeof m.method === "string" &&
          (m.method.startsWith("item/") || m.method.startsWith("turn/"))
        ),
        `b2 is not subscribed yet: ${JSON.stringify(labels(b2, from2))}`,
      );
      const res = await b2.request("thread/resume", { threadId: id });
      const thread = ok(res).thread;
      assert.equal(thread.status.type, "active");
      assert.deepEqual(thread.turns.map((t: Msg) => [t.id, t.status]), [
        [t1, "completed"],
        [t2, "inProgress"],
      ]);
      const snapshot = thread.turns[1].items.find((i: Msg) => i.id === "msg_t2");
      assert.ok(snapshot, JSON.stringify(thread.turns[1]));
      const at = b2.received.indexOf(res);
      const done2 = await b2.waitFor((m) =>
        m.method === "turn/completed" && m.params.turn.id === t2
      );
      assert.equal(done2.params.turn.items.at(-1).text, "Hello world");
      const lateDeltas = b2.received.filter((m) =>
        m.method === "item/agentMessage/delta" && m.params.turnId === t2
      );
      assert.ok(lateDeltas.every((m) => b2!.received.indexOf(m) > at), "no delta before");
      assert.equal(snapshot.text + lateDeltas.map((m) => m.params.delta).join(""), "Hello world");
      assert.ok(
        !b2.received.some((m) => m.method === "turn/started" && m.params.turn.id === t2),
        "the snapshot replaces turn/started",
      );

      await a.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === t2);
      assert.deepEqual(deltasOf(a, t2, fromA2), ["He", "llo", " wor", "ld"]);
      // Both subscribers see the same ending.
      const tail = (x: WsClient, from: number) =>
        labels(x, from).filter((l) => !l.startsWith("codex/event/")).slice(-5);
      assert.deepEqual(tail(b2, at + 1), tail(a, fromA2));
      assert.deepEqual(tail(a, fromA2), [
        "item/completed:agentMessage",
        "thread/tokenUsage/updated",
        "account/rateLimits/updated",
        "status:idle",
        "turn/completed",
      ]);
    } finally {
      await a.close();
      await b.close();
      await b2?.close();
    }
  });
});
