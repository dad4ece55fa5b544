import assert from "node:assert/strict";
import { DEFAULT_OUTBOUND_LIMITS, OutboundBudget, type SocketLike } from "./outbound_budget.ts";

/** A socket whose buffer drains only when the test says so. */
class FakeSocket implements SocketLike {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  send(data: string) {
    this.sent.push(data);
    this.bufferedAmount += data.length;
  }
  close(code?: number) {
    this.closedWith = code ?? 1000;
    this.readyState = 2;
  }
  drain(bytes = Infinity) {
    this.bufferedAmount = Math.max(0, this.bufferedAmount - bytes);
  }
}

const limits = {
  ...DEFAULT_OUTBOUND_LIMITS,
  socketWindowBytes: 100,
  softLimitBytes: 300,
  maxQueuedBytes: 1_000,
  maxQueuedMessages: 50,
  stallTimeoutMs: 60_000,
};

Deno.test("OutboundBudget hands the socket only a window and keeps order", async () => {
  const socket = new FakeSocket();
  const budget = new OutboundBudget(socket, limits, () => {});
  for (let i = 0; i < 5; i++) budget.send(`m${i}`.padEnd(60, "."));
  assert.equal(socket.sent.length, 2, "stops once the window is full");
  socket.drain();
  await new Promise((r) => setTimeout(r, 30));
  assert.ok(socket.sent.length >= 4);
  socket.drain();
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(socket.sent.map((s) => s.slice(0, 2)), ["m0", "m1", "m2", "m3", "m4"]);
  budget.close("done");
});

Deno.test("OutboundBudget reports saturation and wakes writers when drained", async () => {
  const socket = new FakeSocket();
  const budget = new OutboundBudget(socket, limits, () => {});
  for (let i = 0; i < 6; i++) budget.send("x".repeat(60));
  assert.equal(budget.saturated, true);
  let woke = false;
  const p = budget.whenWritable().then(() => woke = true);
  socket.drain();
  await new Promise((r) => setTimeout(r, 30));
  socket.drain();
  await p;
  assert.equal(woke, true);
  budget.close("done");
});

Deno.test("OutboundBudget disconnects a peer over the byte budget and frees its queue", () => {
  const socket = new FakeSocket();
  let reason = "";
  const budget = new OutboundBudget(socket, limits, (r) => reason = r);
  let accepted = 0;
  for (let i = 0; i < 40; i++) if (budget.send("y".repeat(50))) accepted++;
  assert.ok(accepted < 40);
  assert.match(reason, /outbound queue filled/);
  assert.equal(socket.closedWith, 1013);
  assert.equal(budget.closed, true);
  assert.equal(budget.backlogBytes, socket.bufferedAmount, "our own queue is released");
  assert.equal(budget.send("z"), false);
});

Deno.test("OutboundBudget disconnects a peer over the message budget", () => {
  const socket = new FakeSocket();
  let reason = "";
  const budget = new OutboundBudget(socket, { ...limits, socketWindowBytes: 1 }, (r) => reason = r);
  for (let i = 0; i < 60; i++) budget.send("k");
  assert.match(reason, /51 messages/);
});

Deno.test("OutboundBudget disconnects a peer that makes no progress within the stall timeout", async () => {
  const socket = new FakeSocket();
  let reason = "";
  const budget = new OutboundBudget(socket, { ...limits, stallTimeoutMs: 60 }, (r) => reason = r);
  budget.send("s".repeat(150));
  budget.send("t".repeat(10));
  const deadline = Date.now() + 2_000;
  while (!budget.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.match(reason, /no outbound progress/);
});

Deno.test("OutboundBudget does not treat a slow but steady reader as stalled", async () => {
  const socket = new FakeSocket();
  let reason = "";
  const budget = new OutboundBudget(socket, { ...limits, stallTimeoutMs: 80 }, (r) => reason = r);
  const started = Date.now();
  while (Date.now() - started < 300) {
    budget.send("w".repeat(40));
    socket.drain(30);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(reason, "");
  budget.close("done");
});
