/**
 * Black-box tests of the stored-thread methods: `thread/list`, `thread/read`,
 * `thread/name/set`, `thread/archive` and `thread/unarchive`, against rollouts written into a
 * temporary CODEX_HOME before the server starts (through the production `RolloutWriter`, plus
 * a rollout recorded from the reference binary).
 */

import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTestThread } from "../src/core/rollout/_test_rollouts.ts";
import { type Msg, WsClient } from "./support/clients.ts";
import { assertError, initExperimental, withStdio } from "./support/stdio_helpers.ts";
import { startWsServer, within } from "./support/ws_helpers.ts";
import { mockProviderConfig } from "./support/mock_model.ts";

const FIXTURE = fileURLToPath(
  new URL(
    "../src/core/rollout/testdata/rollout-2026-11-22T03-57-42-01a20167-165e-73d3-a2d4-7438e01d7531.jsonl",
    import.meta.url,
  ),
);
const FIXTURE_ID = "01a20167-165e-73d3-a2d4-7438e01d7531";
const FIXTURE_TURN = "01a20167-166f-7e81-8c43-27eabe2ddac5";
const BASE_MS = Date.UTC(2026, 0, 10, 12, 0, 0);

interface Home {
  home: string;
  /** Interactive threads with a user message, newest first. */
  ids: string[];
  execId: string;
  /** A thread of a provider other than the configured one. */
  otherProviderId: string;
}

/** A CODEX_HOME with three listable interactive threads, one exec thread and the fixture. */
async function makeHome(): Promise<Home> {
  const home = await Deno.makeTempDir({ prefix: "codex-thread-store-" });
  const a = await writeTestThread(home, { createdAtMs: BASE_MS, userMessage: "alpha task" });
  const b = await writeTestThread(home, {
    createdAtMs: BASE_MS + 60_000,
    userMessage: "beta task",
    meta: { cwd: "/elsewhere" },
  });
  const c = await writeTestThread(home, { createdAtMs: BASE_MS + 120_000, userMessage: "gamma" });
  const exec = await writeTestThread(home, {
    createdAtMs: BASE_MS + 180_000,
    meta: { source: "exec" },
  });
  const day = join(home, "sessions", "2026", "11", "22");
  await Deno.mkdir(day, { recursive: true });
  await Deno.copyFile(FIXTURE, join(day, basename(FIXTURE)));
  // The threads above are the configured provider's; thread/list shows only those by default.
  await Deno.writeTextFile(join(home, "config.toml"), mockProviderConfig("http://127.0.0.1:9"));
  const other = await writeTestThread(home, {
    createdAtMs: BASE_MS + 30_000,
    userMessage: "other provider",
    meta: { model_provider: "openai" },
  });
  return { home, ids: [FIXTURE_ID, c.id, b.id, a.id], execId: exec.id, otherProviderId: other.id };
}

async function withHome(fn: (h: Home) => Promise<void>): Promise<void> {
  const h = await makeHome();
  try {
    await fn(h);
  } finally {
    await Deno.remove(h.home, { recursive: true }).catch(() => {});
  }
}

function ids(reply: Msg): string[] {
  assert.ok(reply.result, JSON.stringify(reply));
  return reply.result.data.map((t: Msg) => t.id);
}

Deno.test("thread store: thread/list pages, filters and searches stored threads", async () => {
  await withHome(async (h) => {
    await withStdio({ codexHome: h.home }, async (client) => {
      await initExperimental(client);
      const all = await client.request("thread/list", {});
      assert.deepEqual(ids(all), h.ids);
      assert.equal(all.result.nextCursor, null);
      for (const t of all.result.data) {
        assert.deepEqual(t.status, { type: "notLoaded" });
        assert.deepEqual(t.turns, []);
        assert.equal(t.name, null);
      }
      const fixture = all.result.data[0];
      assert.equal(fixture.preview, "second thread hello");
      assert.equal(fixture.modelProvider, "mock");
      assert.equal(fixture.source, "vscode");

      const first = await client.request("thread/list", { limit: 2 });
      assert.deepEqual(ids(first), h.ids.slice(0, 2));
      assert.match(first.result.nextCursor, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\|/);
      const second = await client.request("thread/list", {
        limit: 2,
        cursor: first.result.nextCursor,
      });
      assert.deepEqual(ids(second), h.ids.slice(2));
      assert.equal(second.result.nextCursor, null);

      const everyProvider = await client.request("thread/list", { modelProviders: [] });
      assert.deepEqual(ids(everyProvider), [...h.ids.slice(0, 3), h.otherProviderId, h.ids[3]]);
      assert.deepEqual(
        ids(await client.request("thread/list", { modelProviders: ["openai"] })),
        [h.otherProviderId],
      );

      assert.deepEqual(ids(await client.request("thread/list", { sourceKinds: ["exec"] })), [
        h.execId,
      ]);
      assert.deepEqual(ids(await client.request("thread/list", { cwd: "/elsewhere" })), [
        h.ids[2],
      ]);
      assert.deepEqual(ids(await client.request("thread/list", { searchTerm: "task" })), [
        h.ids[2],
        h.ids[3],
      ]);
      assert.deepEqual(ids(await client.request("thread/list", { archived: true })), []);
      assertError(
        await client.request("thread/list", { cursor: "garbage" }, 77),
        -32600,
        77,
        "invalid cursor: garbage",
      );
    });
  });
});

Deno.test("thread store: thread/read with and without turns, and its errors", async () => {
  await withHome(async (h) => {
    await withStdio({ codexHome: h.home }, async (client) => {
      await initExperimental(client);
      const bare = await client.request("thread/read", { threadId: FIXTURE_ID });
      assert.equal(bare.result.thread.id, FIXTURE_ID);
      assert.deepEqual(bare.result.thread.turns, []);
      assert.deepEqual(bare.result.thread.status, { type: "notLoaded" });
      assert.ok(bare.result.thread.path.endsWith(basename(FIXTURE)));

      const full = await client.request("thread/read", {
        threadId: FIXTURE_ID.toUpperCase(),
        includeTurns: true,
      });
      assert.deepEqual(full.result.thread.turns, [{
        id: FIXTURE_TURN,
        status: "completed",
        error: null,
        items: [
          {
            type: "userMessage",
            id: "item-1",
            content: [{ type: "text", text: "second thread hello", text_elements: [] }],
          },
          { type: "agentMessage", id: "item-2", text: "Hello there", phase: null },
        ],
      }]);
      const { turns: _turns, ...withoutTurns } = full.result.thread;
      const { turns: _none, ...bareWithoutTurns } = bare.result.thread;
      assert.deepEqual(withoutTurns, bareWithoutTurns);

      assertError(
        await client.request("thread/read", { threadId: "not-a-uuid" }, 5),
        -32600,
        5,
        "invalid thread id: invalid character: expected an optional prefix of `urn:uuid:` " +
          "followed by [0-9a-fA-F-], found `n` at 1",
      );
      const unknown = "01a20167-0000-7000-8000-000000000000";
      assertError(
        await client.request("thread/read", { threadId: unknown, includeTurns: true }, 6),
        -32600,
        6,
        `thread not loaded: ${unknown}`,
      );
      assertError(await client.request("thread/read", {}, 7), -32600, 7, /threadId/);
    });
  });
});

Deno.test("thread store: thread/name/set trims, stores and shows the name", async () => {
  await withHome(async (h) => {
    await withStdio({ codexHome: h.home }, async (client) => {
      await initExperimental(client);
      const id = h.ids[1]!;
      const from = client.received.length;
      assert.deepEqual(
        await client.request("thread/name/set", { threadId: id, name: "  My thread \n" }, 1),
        { id: 1, result: {} },
      );
      const read = await client.request("thread/read", { threadId: id }, 2);
      assert.equal(read.result.thread.name, "My thread");
      const listed = await client.request("thread/list", {}, 3);
      assert.equal(listed.result.data.find((t: Msg) => t.id === id).name, "My thread");
      // A stored thread is not loaded, so nobody is subscribed: no thread/name/updated.
      assert.deepEqual(client.received.slice(from).filter((m) => "method" in m), []);
      const index = await Deno.readTextFile(join(h.home, "session_index.jsonl"));
      assert.equal(JSON.parse(index.trim().split("\n").at(-1)!).thread_name, "My thread");

      assertError(
        await client.request("thread/name/set", { threadId: id, name: " \t " }, 4),
        -32600,
        4,
        "thread name must not be empty",
      );
      const unknown = "01a20167-0000-7000-8000-000000000001";
      assertError(
        await client.request("thread/name/set", { threadId: unknown, name: "x" }, 5),
        -32600,
        5,
        `no rollout found for thread id ${unknown}`,
      );
      assertError(
        await client.request("thread/name/set", { threadId: "abc", name: "x" }, 6),
        -32600,
        6,
        "invalid thread id: invalid length: expected length 32 for simple format, found 3",
      );
    });
  });
});

Deno.test("thread store: archive and unarchive move the rollout and broadcast to every client", async () => {
  await withHome(async (h) => {
    const { server, port } = await startWsServer({ codexHome: h.home });
    const a = await WsClient.connect(port);
    const b = await WsClient.connect(port);
    try {
      await a.initialize();
      await b.initialize();
      const id = h.ids[2]!;
      const before = (await a.request("thread/read", { threadId: id })).result.thread;

      const archived = await a.request("thread/archive", { threadId: id }, 10);
      assert.deepEqual(archived, { id: 10, result: {} });
      const note = { method: "thread/archived", params: { threadId: id } };
      const isArchived = (m: Msg) => m.method === "thread/archived";
      assert.deepEqual(await within(5_000, "archived on a", a.waitFor(isArchived)), note);
      assert.deepEqual(await within(5_000, "archived on b", b.waitFor(isArchived)), note);
      // On the requester's connection the response comes first.
      const order = a.received.filter((m) => m.id === 10 || isArchived(m));
      assert.deepEqual(order.map((m) => m.method ?? "response"), ["response", "thread/archived"]);
      const moved = join(h.home, "archived_sessions", basename(before.path));
      assert.ok((await Deno.stat(moved)).isFile);

      assert.deepEqual(ids(await a.request("thread/list", { archived: true })), [id]);
      assert.ok(!ids(await a.request("thread/list", {})).includes(id));
      assertError(
        await a.request("thread/archive", { threadId: id }, 11),
        -32600,
        11,
        `no rollout found for thread id ${id}`,
      );

      const startSec = Math.floor(Date.now() / 1000);
      const restored = await a.request("thread/unarchive", { threadId: id }, 12);
      const thread = restored.result.thread;
      assert.equal(thread.id, id);
      assert.deepEqual(thread.status, { type: "notLoaded" });
      assert.deepEqual(thread.turns, []);
      assert.equal(thread.path, before.path);
      assert.ok(thread.updatedAt >= startSec, `updatedAt ${thread.updatedAt} < ${startSec}`);
      const isUnarchived = (m: Msg) => m.method === "thread/unarchived";
      for (const c of [a, b]) {
        assert.deepEqual(await within(5_000, "unarchived", c.waitFor(isUnarchived)), {
          method: "thread/unarchived",
          params: { threadId: id },
        });
      }
      assert.ok((await Deno.stat(before.path)).isFile);
      assert.ok(ids(await a.request("thread/list", {})).includes(id));
      assert.deepEqual(ids(await a.request("thread/list", { archived: true })), []);
      assertError(
        await a.request("thread/unarchive", { threadId: id }, 13),
        -32600,
        13,
        `no archived rollout found for thread id ${id}`,
      );
    } finally {
      await a.close();
      await b.close();
      await server.close();
    }
  });
});
