import assert from "node:assert/strict";
import { Connection } from "./connection.ts";
import { OutgoingRouter } from "./outgoing.ts";
import { ServerRequests } from "./server_requests.ts";
import { MemorySink } from "./_test_sink.ts";

function conn(id: number, initialized = true, optOut: string[] = []) {
  const sink = new MemorySink();
  const c = new Connection(id, sink, () => Promise.resolve(), 8);
  if (initialized) c.state = "initialized";
  c.optOutNotifications = new Set(optOut);
  return { c, sink };
}

Deno.test("OutgoingRouter.broadcast skips uninitialized connections and exact opt-outs", () => {
  const router = new OutgoingRouter();
  const a = conn(1);
  const b = conn(2, false);
  const c = conn(3, true, ["thread/started"]);
  const d = conn(4, true, ["thread/*", "thread/started/x"]);
  for (const x of [a, b, c, d]) router.add(x.c);
  router.broadcast("thread/started", { threadId: "t" });
  assert.deepEqual(a.sink.messages, [{ method: "thread/started", params: { threadId: "t" } }]);
  assert.equal(b.sink.sent.length, 0);
  assert.equal(c.sink.sent.length, 0);
  assert.equal(d.sink.sent.length, 1, "opt-outs are exact names, not patterns");
});

Deno.test("OutgoingRouter.notifyMany drops messages for connections that are gone", () => {
  const router = new OutgoingRouter();
  const a = conn(1);
  router.add(a.c);
  router.remove(a.c);
  router.notifyMany([1, 2], "x");
  assert.equal(a.sink.sent.length, 0);
});

Deno.test("ServerRequests: one process-wide counter, same id to every target, first reply wins", async () => {
  const router = new OutgoingRouter();
  const a = conn(1);
  const b = conn(2);
  router.add(a.c);
  router.add(b.c);
  const requests = new ServerRequests(router);
  const first = requests.send([1, 2], "item/tool/call", { x: 1 });
  const second = requests.send([2], "item/tool/call", { x: 2 });
  assert.equal(first.id, 0);
  assert.equal(second.id, 1);
  assert.deepEqual(a.sink.messages, [{ method: "item/tool/call", id: 0, params: { x: 1 } }]);
  assert.equal(b.sink.messages.length, 2);
  assert.equal(requests.settle(2, 0, { result: { ok: "b" } }), true);
  assert.equal(requests.settle(1, 0, { result: { ok: "a" } }), false);
  assert.deepEqual(await first.outcome, { kind: "result", result: { ok: "b" }, connectionId: 2 });
  assert.deepEqual(requests.pendingFor(2), [1]);
  assert.equal(requests.cancel(1, "turn ended"), true);
  assert.deepEqual(await second.outcome, { kind: "cancelled", reason: "turn ended" });
  assert.equal(requests.pendingCount, 0);
});

Deno.test("ServerRequests: an error reply settles with the error; string ids never match", async () => {
  const router = new OutgoingRouter();
  const a = conn(1);
  router.add(a.c);
  const requests = new ServerRequests(router);
  const r = requests.send([1], "m", {});
  assert.equal(requests.settle(1, "0", { result: {} }), false);
  requests.settle(1, 0, { error: { code: -1, message: "no" } });
  assert.deepEqual(await r.outcome, {
    kind: "error",
    error: { code: -1, message: "no" },
    connectionId: 1,
  });
});
