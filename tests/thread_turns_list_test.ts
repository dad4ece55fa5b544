/**
 * Black-box test of `thread/turns/list` over websockets, with the mock model: three turns,
 * paged newest first, the next cursor, the backwards cursor with the opposite direction,
 * item views, and refusals.
 */

import assert from "node:assert/strict";
import type { Msg } from "./support/clients.ts";
import { textTurn } from "./support/mock_model.ts";
import { connectClient, withThreadServer } from "./support/thread_harness.ts";

Deno.test("thread/turns/list: pages, cursors and item views", async () => {
  await withThreadServer(async (s, { mock }) => {
    const c = await connectClient(s);
    const id = (await c.request("thread/start", {})).result.thread.id;
    const turnIds: string[] = [];
    for (const text of ["one", "two", "three"]) {
      mock.enqueue(textTurn(`answer ${text}`));
      const from = c.received.length;
      const res = await c.request("turn/start", { threadId: id, input: [{ type: "text", text }] });
      turnIds.push(res.result.turn.id);
      await c.waitFor((m) => m.method === "turn/completed" && c.received.indexOf(m) >= from);
    }
    const first = await c.request("thread/turns/list", { threadId: id, limit: 2 });
    assert.deepEqual(first.result.data.map((t: Msg) => t.id), [turnIds[2], turnIds[1]]);
    assert.equal(first.result.data[0].items.length, 2);
    assert.ok(first.result.nextCursor);
    const second = await c.request("thread/turns/list", {
      threadId: id,
      limit: 2,
      cursor: first.result.nextCursor,
    });
    assert.deepEqual(second.result.data.map((t: Msg) => t.id), [turnIds[0]]);
    assert.equal(second.result.nextCursor, null);
    const back = await c.request("thread/turns/list", {
      threadId: id,
      cursor: second.result.backwardsCursor,
      sortDirection: "asc",
      itemsView: "notLoaded",
    });
    assert.deepEqual(back.result.data.map((t: Msg) => t.id), turnIds);
    assert.deepEqual(back.result.data[0].items, []);
    const full = await c.request("thread/turns/list", { threadId: id, itemsView: "full" });
    assert.equal(full.result.data.length, 3);
    assert.equal(full.result.data[2].items[1].text, "answer one");
    const bad = await c.request("thread/turns/list", { threadId: id, cursor: "nonsense" });
    assert.equal(bad.error.code, -32600);
    const unknown = await c.request("thread/turns/list", {
      threadId: "01a20167-165e-73d3-a2d4-7438e01d7599",
    });
    assert.equal(unknown.error.code, -32600);
    await c.close();
  });
});
