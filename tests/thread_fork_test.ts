/**
 * Black-box tests of `thread/fork` over websockets, with the mock Responses server as the
 * model: forking a stored and a loaded thread (new id, `forked_from_id`, source untouched,
 * turns copied, notification order, caller subscribed, the fork's next turn sends the copied
 * history), `thread/list` showing the fork, and the error for a thread with no rollout.
 */

import assert from "node:assert/strict";
import type { Msg, WsClient } from "./support/clients.ts";
import { hangAfter, textTurn } from "./support/mock_model.ts";
import type { WsServer } from "./support/ws_helpers.ts";
import { connectClient, lastInput, runTurn, withThreadHarness } from "./support/thread_harness.ts";

/** An initialized client, optionally with the experimental API. */
const client = (s: WsServer, experimentalApi = false): Promise<WsClient> =>
  connectClient(s, { experimentalApi });

async function firstRecord(path: string): Promise<Msg> {
  return JSON.parse((await Deno.readTextFile(path)).split("\n")[0]!);
}

/** Checks the fork's notification order around `res` and returns `thread/started`. */
async function checkOrder(c: WsClient, res: Msg, from: number): Promise<Msg> {
  const forkId = res.result.thread.id;
  const status = c.received.findIndex((m, i) =>
    i >= from && m.method === "thread/status/changed" && m.params.threadId === forkId
  );
  assert.ok(status >= 0 && status < c.received.indexOf(res), "idle status before the response");
  assert.equal(c.received[status]!.params.status.type, "idle");
  const started = await c.waitFor((m) =>
    m.method === "thread/started" && m.params.thread.id === forkId
  );
  assert.ok(c.received.indexOf(started) > c.received.indexOf(res), "thread/started after");
  return started;
}

Deno.test("fork a stored thread: new id, history copied, source untouched", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const first = await start();
    const a = await client(first);
    const source = (await a.request("thread/start", {})).result.thread;
    mock.enqueue(textTurn("First answer"));
    await runTurn(a, source.id, "first question");
    await a.close();
    await first.server.close();
    const sourceBytes = await Deno.readFile(source.path);

    const second = await start();
    const b = await client(second);
    const from = b.received.length;
    const res = await b.request("thread/fork", { threadId: source.id });
    assert.ok(res.result, JSON.stringify(res));
    const fork = res.result.thread;
    assert.notEqual(fork.id, source.id);
    assert.notEqual(fork.path, source.path);
    assert.equal(fork.status.type, "idle");
    assert.equal(fork.preview, "first question");
    assert.equal(res.result.model, "mock-model");
    assert.equal(fork.turns.length, 1);
    assert.equal(fork.turns[0].items[0].type, "userMessage");
    assert.equal(fork.turns[0].items[1].text, "First answer");
    const started = await checkOrder(b, res, from);
    assert.deepEqual(started.params.thread.turns, fork.turns, "thread/started carries the turns");

    const meta = await firstRecord(fork.path);
    assert.equal(meta.type, "session_meta");
    assert.equal(meta.payload.id, fork.id);
    assert.equal(meta.payload.forked_from_id, source.id);
    assert.deepEqual(await Deno.readFile(source.path), sourceBytes, "source rollout unchanged");

    // The caller is subscribed, and the model gets the copied history.
    mock.enqueue(textTurn("Fork answer"));
    const done = await runTurn(b, fork.id, "fork question");
    assert.equal(done.params.turn.status, "completed");
    const input = lastInput(mock);
    assert.match(input, /first question/);
    assert.match(input, /First answer/);
    assert.match(input, /fork question/);
    assert.equal(input.match(/<environment_context>/g)?.length, 1);
    assert.deepEqual(await Deno.readFile(source.path), sourceBytes, "source still unchanged");

    const read = await b.request("thread/read", { threadId: fork.id, includeTurns: true });
    assert.equal(read.result.thread.turns.length, 2);
    const list = await b.request("thread/list", {});
    const ids = list.result.data.map((t: Msg) => t.id);
    assert.ok(ids.includes(fork.id) && ids.includes(source.id), JSON.stringify(ids));
    await b.close();
  });
});

Deno.test("fork a loaded thread: listed at once, the two threads diverge", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const a = await client(s);
    const source = (await a.request("thread/start", {})).result.thread;
    mock.enqueue(textTurn("Answer one"));
    await runTurn(a, source.id, "question one");
    const sourceBytes = await Deno.readFile(source.path);
    const b = await client(s);
    const from = b.received.length;
    const res = await b.request("thread/fork", { threadId: source.id });
    assert.ok(res.result, JSON.stringify(res));
    const fork = res.result.thread;
    await checkOrder(b, res, from);
    assert.equal(fork.turns.length, 1);
    assert.equal(fork.turns[0].items[1].text, "Answer one");
    assert.equal((await firstRecord(fork.path)).payload.forked_from_id, source.id);
    assert.equal(fork.forkedFromId, source.id, "0.169 field");
    assert.deepEqual(await Deno.readFile(source.path), sourceBytes);
    const list = await b.request("thread/list", {});
    assert.ok(list.result.data.some((t: Msg) => t.id === fork.id), "the fork is listed");
    const loaded = await b.request("thread/loaded/list", {});
    assert.ok(loaded.result.data.includes(fork.id) && loaded.result.data.includes(source.id));

    mock.enqueue(textTurn("Fork two"));
    await runTurn(b, fork.id, "fork question two");
    mock.enqueue(textTurn("Source two"));
    await runTurn(a, source.id, "source question two");
    const sourceInput = lastInput(mock);
    assert.match(sourceInput, /question one/);
    assert.doesNotMatch(sourceInput, /fork question two/);
    // `a` never subscribed to the fork: none of its turn events reached it.
    assert.ok(
      !a.received.some((m) => m.method === "turn/completed" && m.params.threadId === fork.id),
    );
    const readSource = await a.request("thread/read", { threadId: source.id, includeTurns: true });
    assert.equal(readSource.result.thread.turns.length, 2);
    assert.equal(readSource.result.thread.turns[1].items[0].content[0].text, "source question two");
    // An ephemeral fork (0.169) keeps the history in memory only.
    const eph = (await b.request("thread/fork", { threadId: source.id, ephemeral: true })).result;
    assert.equal(eph.thread.path, null);
    assert.equal(eph.thread.ephemeral, true);
    assert.equal(eph.thread.turns.length, 2);
    mock.enqueue(textTurn("Ephemeral"));
    await runTurn(b, eph.thread.id, "ephemeral question");
    assert.match(lastInput(mock), /source question two/);
    const listed = await b.request("thread/list", {});
    assert.ok(!listed.result.data.some((t: Msg) => t.id === eph.thread.id));
    await a.close();
    await b.close();
  });
});

Deno.test("fork errors: unknown id, thread not on disk yet, gated path", async () => {
  await withThreadHarness(async ({ start }) => {
    const s = await start();
    const c = await client(s);
    const unknown = "01a20167-165e-73d3-a2d4-7438e01d7599";
    const missing = await c.request("thread/fork", { threadId: unknown });
    assert.equal(missing.error.code, -32600);
    assert.equal(missing.error.message, `no rollout found for thread id ${unknown}`);
    const fresh = (await c.request("thread/start", {})).result.thread;
    const lazy = await c.request("thread/fork", { threadId: fresh.id });
    assert.equal(lazy.error.code, -32600);
    assert.equal(lazy.error.message, `no rollout found for thread id ${fresh.id}`);
    const bad = await c.request("thread/fork", { threadId: "nope" });
    assert.equal(bad.error.code, -32600);
    assert.match(bad.error.message, /^invalid thread id/);
    const gated = await c.request("thread/fork", { threadId: unknown, path: "/x" });
    assert.equal(gated.error.code, -32600);
    assert.match(gated.error.message, /thread\/fork\.path/);
    await c.close();
  });
});

Deno.test("fork by experimental path", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const c = await client(s, true);
    const source = (await c.request("thread/start", {})).result.thread;
    mock.enqueue(textTurn("By path"));
    await runTurn(c, source.id, "path question");
    const res = await c.request("thread/fork", {
      threadId: "01a20167-165e-73d3-a2d4-7438e01d7599",
      path: source.path,
    });
    assert.ok(res.result, JSON.stringify(res));
    assert.equal(res.result.thread.turns[0].items[1].text, "By path");
    assert.equal((await firstRecord(res.result.thread.path)).payload.forked_from_id, source.id);
    await c.close();
  });
});

Deno.test("fork while the source runs a turn: the copied turn is interrupted", async () => {
  await withThreadHarness(async ({ mock, start }) => {
    const s = await start();
    const c = await client(s);
    const source = (await c.request("thread/start", {})).result.thread;
    mock.enqueue(textTurn("Done before"));
    await runTurn(c, source.id, "before");
    mock.enqueue(hangAfter(1, textTurn("never")));
    const running = await c.request("turn/start", {
      threadId: source.id,
      input: [{ type: "text", text: "still running" }],
    });
    // Its records are written by the time its user message item is reported.
    await c.waitFor((m) =>
      m.method === "item/completed" && m.params.turnId === running.result.turn.id &&
      m.params.item.type === "userMessage"
    );
    const res = await c.request("thread/fork", { threadId: source.id });
    assert.ok(res.result, JSON.stringify(res));
    assert.equal(res.result.thread.status.type, "idle");
    const turns = res.result.thread.turns;
    assert.deepEqual(turns.map((t: Msg) => t.status), ["completed", "interrupted"]);
    assert.equal(turns[1].id, running.result.turn.id);
    const read = await c.request("thread/read", {
      threadId: res.result.thread.id,
      includeTurns: true,
    });
    assert.equal(read.result.thread.turns[1].status, "interrupted", "on disk too");
    await c.request("turn/interrupt", { threadId: source.id, turnId: running.result.turn.id });
    await c.close();
  });
});
