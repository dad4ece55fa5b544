import assert from "node:assert/strict";
import { Connection } from "./connection.ts";
import type { RequestMessage } from "../jsonrpc/message.ts";
import { MemorySink } from "./_test_sink.ts";

function setup(capacity: number) {
  const sink = new MemorySink();
  const processed: RequestMessage[] = [];
  const conn = new Connection(1, sink, (c, req) => {
    processed.push(req);
    c.send({ id: req.id, result: {} });
    return Promise.resolve();
  }, capacity);
  return { sink, processed, conn };
}

Deno.test("Connection processes requests in arrival order", async () => {
  const { conn, processed } = setup(8);
  for (let i = 0; i < 5; i++) conn.enqueue({ id: i, method: "m" });
  await conn.whenIdle();
  assert.deepEqual(processed.map((r) => r.id), [0, 1, 2, 3, 4]);
});

Deno.test("Connection keeps replies to bad input in line with requests", async () => {
  const { conn, sink } = setup(8);
  conn.enqueue({ id: 1, method: "m" });
  conn.enqueueReply({ id: null, error: { code: -32700, message: "bad" } });
  conn.enqueue({ id: 2, method: "m" });
  await conn.whenIdle();
  assert.deepEqual(sink.messages.map((m) => m.id), [1, null, 2]);
});

Deno.test("Connection pauses while the peer is saturated and refuses overflow with -32001", async () => {
  const { conn, sink, processed } = setup(2);
  sink.saturated = true;
  assert.equal(conn.enqueue({ id: "a", method: "m" }), null);
  assert.equal(conn.enqueue({ id: "b", method: "m" }), null);
  const refused = conn.enqueue({ id: "c", method: "m" });
  assert.ok(refused);
  assert.equal(refused.code, -32001);
  assert.equal(processed.length, 0);
  const overload = sink.messages[0] as { id: string; error: { data: { retryAfterMs: number } } };
  assert.equal(overload.id, "c");
  assert.ok(overload.error.data.retryAfterMs >= 10);
  sink.saturated = false;
  await conn.whenIdle();
  assert.deepEqual(processed.map((r) => r.id), ["a", "b"]);
});

Deno.test("Connection.whenReady waits for room in the queue", async () => {
  const { conn, sink } = setup(1);
  sink.saturated = true;
  conn.enqueue({ id: 1, method: "m" });
  let ready = false;
  const p = conn.whenReady().then(() => ready = true);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ready, false);
  sink.saturated = false;
  await p;
  assert.equal(ready, true);
});

Deno.test("Connection.wantsNotification honours initialization and opt-outs", () => {
  const { conn } = setup(1);
  assert.equal(conn.wantsNotification("thread/started"), false);
  conn.state = "initialized";
  conn.optOutNotifications = new Set(["thread/started"]);
  assert.equal(conn.wantsNotification("thread/started"), false);
  assert.equal(conn.wantsNotification("thread/status/changed"), true);
});
