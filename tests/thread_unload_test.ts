/**
 * Black-box tests of thread unloading: an idle thread with no subscribers is closed after the
 * idle period (`thread/closed` to experimental clients only, `notLoaded` to everyone), a
 * subscribed one is not, a closed thread resumes with its history, and archiving a loaded
 * thread shuts it down before the file moves.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Msg, WsClient } from "./support/clients.ts";
import { type MockModelServer, textTurn } from "./support/mock_model.ts";
import { sleep, type WsServer } from "./support/ws_helpers.ts";
import { connectClient, withThreadServer } from "./support/thread_harness.ts";

/** Threads idle this long with no subscribers are unloaded. */
const UNLOAD_ENV = { CODEX_APP_SERVER_THREAD_IDLE_UNLOAD_MS: "300" };

const client = (s: WsServer, experimentalApi = false): Promise<WsClient> =>
  connectClient(s, { experimentalApi });

async function threadWithTurn(c: WsClient, mock: MockModelServer, text: string): Promise<string> {
  const threadId = (await c.request("thread/start", {})).result.thread.id;
  mock.enqueue(textTurn(`re: ${text}`));
  await c.request("turn/start", { threadId, input: [{ type: "text", text }] });
  await c.waitFor((m) => m.method === "turn/completed" && m.params.threadId === threadId);
  return threadId;
}

const closedFor = (c: WsClient, id: string) =>
  c.received.filter((m) => m.method === "thread/closed" && m.params.threadId === id);

Deno.test("an idle thread without subscribers is unloaded; it resumes with its history", async () => {
  await withThreadServer(async (s, { mock }) => {
    const owner = await client(s);
    const watcher = await client(s, true);
    const plain = await client(s);
    const kept = await threadWithTurn(owner, mock, "keep me");
    const idle = await threadWithTurn(owner, mock, "drop me");
    assert.deepEqual(
      (await owner.request("thread/unsubscribe", { threadId: idle })).result,
      { status: "unsubscribed" },
    );
    const closed = await watcher.waitFor(
      (m) => m.method === "thread/closed" && m.params.threadId === idle,
      "thread/closed",
      5_000,
    );
    assert.deepEqual(closed.params, { threadId: idle });
    const notLoaded = (m: Msg) =>
      m.method === "thread/status/changed" && m.params.threadId === idle &&
      m.params.status.type === "notLoaded";
    await plain.waitFor(notLoaded, "notLoaded status");
    assert.deepEqual(closedFor(plain, idle), [], "thread/closed is experimental-only");
    // The subscribed thread stays loaded well past the idle period.
    await sleep(600);
    const loaded = (await owner.request("thread/loaded/list", {})).result.data;
    assert.deepEqual(loaded, [kept]);
    assert.deepEqual(closedFor(watcher, kept), []);
    // A closed thread comes back from its rollout, history included.
    const resumed = await owner.request("thread/resume", { threadId: idle });
    assert.equal(resumed.result.thread.turns.length, 1);
    mock.enqueue(textTurn("again"));
    await owner.request("turn/start", { threadId: idle, input: [{ type: "text", text: "more" }] });
    await owner.waitFor((m) =>
      m.method === "turn/completed" && m.params.threadId === idle &&
      m.params.turn.items.some((i: Msg) => i.type === "agentMessage" && i.text === "again")
    );
    const texts = ((mock.requests.at(-1)!.body as Msg).input as Msg[])
      .map((i) => i.content?.[0]?.text);
    assert.ok(texts.includes("drop me") && texts.includes("re: drop me"), "history survives");
    await owner.close();
    await watcher.close();
    await plain.close();
  }, { env: UNLOAD_ENV });
});

Deno.test("archiving a loaded thread shuts it down before the response", async () => {
  await withThreadServer(async (s, { mock, home }) => {
    const c = await client(s, true);
    const threadId = await threadWithTurn(c, mock, "archive me");
    const from = c.received.length;
    const res = await c.request("thread/archive", { threadId });
    assert.deepEqual(res.result, {});
    const after = c.received.slice(from);
    const status = after.findIndex((m) =>
      m.method === "thread/status/changed" && m.params.status.type === "notLoaded"
    );
    assert.ok(status >= 0 && status < after.indexOf(res), "notLoaded before the response");
    assert.deepEqual((await c.request("thread/loaded/list", {})).result.data, []);
    const gone = await c.request("turn/start", {
      threadId,
      input: [{ type: "text", text: "x" }],
    });
    assert.equal(gone.error.message, `thread not found: ${threadId}`);
    const archived = [...Deno.readDirSync(join(home, "archived_sessions"))].map((e) => e.name);
    assert.equal(archived.length, 1);
    assert.ok(archived[0]!.endsWith(`${threadId}.jsonl`));
    await c.close();
  }, { env: UNLOAD_ENV });
});
