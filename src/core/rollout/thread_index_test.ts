import assert from "node:assert/strict";
import { join } from "node:path";
import { tempCodexHome, writeTestThread } from "./_test_rollouts.ts";
import { appendThreadName } from "./session_index.ts";
import { newThreadId } from "./thread_id.ts";
import { THREAD_INDEX_FILE, ThreadIndex } from "./thread_index.ts";
import { InvalidCursorError } from "./thread_list_query.ts";
import type { ThreadSummary } from "./thread_summary.ts";

const BASE_MS = Date.UTC(2026, 10, 22, 3, 0, 0);
const BASE_S = BASE_MS / 1000;

/**
 * 60 threads; three share each creation second (so cursors must break ties by id), and mtimes
 * run the other way round (so the two sort keys give different orders).
 */
async function sixtyThreads(home: string) {
  const threads: { id: string; createdAt: number; updatedAt: number }[] = [];
  for (let i = 0; i < 60; i++) {
    const createdMs = BASE_MS + Math.floor(i / 3) * 1000 + i;
    const updatedAt = BASE_S + 10_000 - i * 7;
    const { id } = await writeTestThread(home, { createdAtMs: createdMs, mtimeSec: updatedAt });
    threads.push({ id, createdAt: Math.floor(createdMs / 1000), updatedAt });
  }
  return threads;
}

function byKeyDesc<T extends { id: string }>(items: T[], key: (t: T) => number): string[] {
  return [...items].sort((a, b) => key(b) - key(a) || (a.id < b.id ? 1 : -1)).map((t) => t.id);
}

async function collectPages(index: ThreadIndex, params: Record<string, unknown>) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await index.list({ ...params, cursor });
    ids.push(...page.data.map((t) => t.id));
    sizes.push(page.data.length);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { ids, sizes };
}

Deno.test("thread index: cursor pagination over 60 threads, both sort keys", async () => {
  await using tmp = await tempCodexHome();
  const threads = await sixtyThreads(tmp.home);
  const index = await ThreadIndex.open(tmp.home);
  try {
    const created = await collectPages(index, {});
    assert.deepEqual(created.sizes, [25, 25, 10]);
    assert.deepEqual(created.ids, byKeyDesc(threads, (t) => t.createdAt));

    const first = await index.list({ limit: 25 });
    const last = first.data.at(-1)!;
    assert.equal(
      first.nextCursor,
      `${new Date(last.createdAt * 1000).toISOString().slice(0, 19)}Z|${last.id}`,
    );

    const updated = await collectPages(index, { sortKey: "updated_at", limit: 7 });
    assert.deepEqual(updated.sizes, [7, 7, 7, 7, 7, 7, 7, 7, 4]);
    assert.deepEqual(updated.ids, byKeyDesc(threads, (t) => t.updatedAt));
    assert.equal(
      (await index.list({ sortKey: "updated_at", limit: 1 })).data[0]!.updatedAt,
      BASE_S + 10_000,
    );

    // A page that ends exactly at the last thread has no next cursor.
    assert.equal((await index.list({ limit: 60 })).nextCursor, null);
    assert.notEqual((await index.list({ limit: 59 })).nextCursor, null);
    await assert.rejects(index.list({ cursor: "garbage" }), InvalidCursorError);
  } finally {
    index.close();
  }
});

function synthetic(i: number, extra: Partial<ThreadSummary> = {}): ThreadSummary {
  return {
    id: newThreadId(BASE_MS + i * 1000),
    rolloutPath: `/nowhere/${i}.jsonl`,
    archived: false,
    createdAt: BASE_S + i,
    updatedAt: BASE_S + i,
    source: "vscode",
    sourceKind: "vscode",
    modelProvider: "mock",
    cwd: "/work/project",
    cliVersion: "0.105.0",
    preview: `thread ${i}`,
    hasUserMessage: true,
    gitInfo: null,
    agentNickname: null,
    agentRole: null,
    forkedFromId: null,
    name: null,
    ...extra,
  };
}

Deno.test("thread index: limit default 25, clamp to 100, zero gives one", async () => {
  await using tmp = await tempCodexHome();
  const index = await ThreadIndex.open(tmp.home);
  try {
    for (let i = 0; i < 105; i++) index.upsert(synthetic(i));
    assert.equal((await index.list({})).data.length, 25);
    const clamped = await index.list({ limit: 1000 });
    assert.equal(clamped.data.length, 100);
    assert.notEqual(clamped.nextCursor, null);
    const one = await index.list({ limit: 0 });
    assert.equal(one.data.length, 1);
    assert.equal(one.data[0]!.preview, "thread 104");
  } finally {
    index.close();
  }
});

Deno.test("thread index: filters (source kinds, providers, cwd, search, archived, user message)", async () => {
  await using tmp = await tempCodexHome();
  const spawn = {
    subagent: {
      thread_spawn: { parent_thread_id: "p", depth: 1, agent_nickname: "N", agent_role: "R" },
    },
  };
  const mk = (i: number, meta: Record<string, unknown>, userMessage?: string | null) =>
    writeTestThread(tmp.home, { createdAtMs: BASE_MS + i * 1000, meta, userMessage });
  const vscode = await mk(0, {}, "Fix the Parser please");
  const cli = await mk(1, { source: "cli", model_provider: "openai", cwd: "/other" }, "cli one");
  const exec = await mk(2, { source: "exec" }, "exec one");
  const mcp = await mk(3, { source: "mcp" }, "app server one");
  const sub = await mk(4, { source: spawn }, "spawned");
  const review = await mk(5, { source: { subagent: "review" } }, "review");
  const odd = await mk(6, { source: "new_kind_from_the_future" }, "unknown one");
  await mk(7, {}, null); // no user message: no file, never listed
  const index = await ThreadIndex.open(tmp.home);
  const ids = async (params: Record<string, unknown>) =>
    (await index.list(params)).data.map((t) => t.id);
  try {
    assert.deepEqual(await ids({}), [cli.id, vscode.id]);
    assert.deepEqual(await ids({ sourceKinds: [] }), [cli.id, vscode.id]);
    assert.deepEqual(await ids({ sourceKinds: ["exec"] }), [exec.id]);
    assert.deepEqual(await ids({ sourceKinds: ["appServer"] }), [mcp.id]);
    assert.deepEqual(await ids({ sourceKinds: ["subAgent"] }), [review.id, sub.id]);
    assert.deepEqual(await ids({ sourceKinds: ["subAgentThreadSpawn"] }), [sub.id]);
    assert.deepEqual(await ids({ sourceKinds: ["subAgentReview", "cli"] }), [review.id, cli.id]);
    assert.deepEqual(await ids({ sourceKinds: ["unknown"] }), [odd.id]);
    assert.deepEqual(await ids({ modelProviders: ["openai"] }), [cli.id]);
    assert.deepEqual(await ids({ modelProviders: [] }), [cli.id, vscode.id]);
    assert.deepEqual(await ids({ modelProviders: ["mock", "openai"] }), [cli.id, vscode.id]);
    assert.deepEqual(await ids({ cwd: "/work/project" }), [vscode.id]);
    assert.deepEqual(await ids({ cwd: "/work/./project/" }), [vscode.id]);
    assert.deepEqual(await ids({ cwd: "/work" }), []);
    assert.deepEqual(await ids({ cwd: "project" }), []);
    assert.deepEqual(await ids({ cwd: "" }), []);
    assert.deepEqual(await ids({ searchTerm: "Parser" }), [vscode.id]);
    assert.deepEqual(await ids({ searchTerm: "parser" }), []); // case-sensitive, like 0.105
    assert.deepEqual(await ids({ searchTerm: "one" }), [cli.id]);
    assert.deepEqual(await ids({ searchTerm: "" }), [cli.id, vscode.id]);

    const subRow = index.get(sub.id)!;
    assert.equal(subRow.agentNickname, "N");
    assert.deepEqual(subRow.source, { subAgent: spawn.subagent });

    index.setArchived(cli.id, true, "/moved.jsonl");
    assert.deepEqual(await ids({}), [vscode.id]);
    assert.deepEqual(await ids({ archived: true }), [cli.id]);
    assert.deepEqual(await ids({ archived: false }), [vscode.id]);
  } finally {
    index.close();
  }
});

Deno.test("thread index: names come from session_index.jsonl and setName; search ignores them", async () => {
  await using tmp = await tempCodexHome();
  const a = await writeTestThread(tmp.home, { createdAtMs: BASE_MS, userMessage: "alpha" });
  const b = await writeTestThread(tmp.home, { createdAtMs: BASE_MS + 1000, userMessage: "beta" });
  await appendThreadName(tmp.home, a.id, "old");
  await appendThreadName(tmp.home, a.id, "Renamed");
  let index = await ThreadIndex.open(tmp.home);
  try {
    assert.equal(index.get(a.id)?.name, "Renamed");
    assert.equal(index.get(b.id)?.name, null);
    index.setName(b.id, "Bee");
    assert.equal((await index.list({ searchTerm: "Bee" })).data.length, 0);
  } finally {
    index.close();
  }
  // Another process renames while we are closed: picked up on the next open.
  await appendThreadName(tmp.home, a.id, "Newest");
  index = await ThreadIndex.open(tmp.home, { searchNames: true });
  try {
    assert.equal(index.get(a.id)?.name, "Newest");
    assert.equal(index.get(b.id)?.name, "Bee");
    assert.deepEqual((await index.list({ searchTerm: "Bee" })).data.map((t) => t.id), [b.id]);
  } finally {
    index.close();
  }
});

Deno.test("thread index: rebuilt when deleted or corrupted, reconciled when files change", async () => {
  await using tmp = await tempCodexHome();
  const threads = await sixtyThreads(tmp.home);
  const dbPath = join(tmp.home, THREAD_INDEX_FILE);
  const all = async (index: ThreadIndex) => (await collectPages(index, { limit: 100 })).ids;
  const expected = byKeyDesc(threads, (t) => t.createdAt);

  let index = await ThreadIndex.open(tmp.home);
  assert.deepEqual(await all(index), expected);
  index.close();

  await Deno.remove(dbPath);
  index = await ThreadIndex.open(tmp.home);
  assert.deepEqual(await all(index), expected);
  index.close();

  for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(dbPath + suffix).catch(() => {});
  await Deno.writeTextFile(dbPath, "this is not a database ".repeat(500));
  index = await ThreadIndex.open(tmp.home);
  assert.deepEqual(await all(index), expected);
  index.close();

  // Damage past the header: the page checksums catch it on open.
  const bytes = await Deno.readFile(dbPath);
  bytes.fill(0x41, 100, Math.min(bytes.length, 20_000));
  await Deno.writeFile(dbPath, bytes);
  for (const suffix of ["-wal", "-shm"]) await Deno.remove(dbPath + suffix).catch(() => {});
  index = await ThreadIndex.open(tmp.home);
  assert.deepEqual(await all(index), expected);
  index.close();

  // Files changed behind our back: one added, one removed, one appended to.
  const added = await writeTestThread(tmp.home, { createdAtMs: BASE_MS + 99_000_000 });
  await Deno.remove(
    await ThreadIndex.open(tmp.home).then((i) => {
      const p = i.get(threads[0]!.id)!.rolloutPath;
      i.close();
      return p;
    }),
  );
  const touched = threads[1]!;
  index = await ThreadIndex.open(tmp.home);
  const path = index.get(touched.id)!.rolloutPath;
  index.close();
  await Deno.writeTextFile(path, '{"timestamp":"t","type":"event_msg","payload":{"type":"x"}}\n', {
    append: true,
  });
  await Deno.utime(path, BASE_S + 50_000, BASE_S + 50_000);

  index = await ThreadIndex.open(tmp.home);
  try {
    const ids = await all(index);
    assert.equal(ids.length, 60);
    assert.equal(ids[0], added.id);
    assert.ok(!ids.includes(threads[0]!.id));
    assert.equal(index.get(touched.id)?.updatedAt, BASE_S + 50_000);
    const stats = await index.reconcile();
    assert.deepEqual({ ...stats, scanned: 0 }, { scanned: 0, read: 0, removed: 0, rebuilt: false });
    assert.equal((await index.rebuild()).read, 60);
    assert.deepEqual(await all(index), ids);
  } finally {
    index.close();
  }
});

Deno.test("thread index: touch records the first preview and the new mtime", async () => {
  await using tmp = await tempCodexHome();
  const index = await ThreadIndex.open(tmp.home);
  try {
    const s = synthetic(1, { preview: "", hasUserMessage: false });
    index.upsert(s);
    assert.equal((await index.list({})).data.length, 0);
    index.touch(s.id, BASE_S + 5, "first words");
    index.touch(s.id, BASE_S + 9, "second words");
    const row = index.get(s.id)!;
    assert.equal(row.preview, "first words");
    assert.equal(row.updatedAt, BASE_S + 9);
    assert.equal((await index.list({})).data.length, 1);
  } finally {
    index.close();
  }
});
