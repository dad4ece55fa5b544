import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { tempCodexHome, writeTestThread } from "./_test_rollouts.ts";
import { archiveRollout, findRollout, RolloutNotFoundError, unarchiveRollout } from "./archive.ts";
import { newThreadId } from "./thread_id.ts";
import { ThreadIndex } from "./thread_index.ts";

const CREATED = Date.UTC(2026, 10, 22, 3, 57, 42, 881);

Deno.test("archive and unarchive round trip, keeping the index in step", async () => {
  await using tmp = await tempCodexHome();
  const { id, path } = await writeTestThread(tmp.home, { createdAtMs: CREATED, mtimeSec: 1000 });
  const index = await ThreadIndex.open(tmp.home);
  try {
    assert.equal(await findRollout(tmp.home, id, { index }), path);

    const archived = await archiveRollout(tmp.home, id, { index });
    assert.equal(archived, join(tmp.home, "archived_sessions", basename(path)));
    assert.equal(await Deno.stat(path).catch(() => null), null);
    assert.equal((await Deno.stat(archived)).mtime!.getTime(), 1000_000); // archive keeps mtime
    assert.equal(index.get(id)?.archived, true);
    assert.equal(index.get(id)?.rolloutPath, archived);
    assert.deepEqual((await index.list({})).data, []);
    assert.equal((await index.list({ archived: true })).data[0]?.id, id);
    assert.equal(await findRollout(tmp.home, id, { index }), null);
    assert.equal(await findRollout(tmp.home, id, { index, archived: true }), archived);

    const now = new Date(Date.UTC(2027, 0, 1));
    const restored = await unarchiveRollout(tmp.home, id, { index, now });
    assert.equal(restored, path); // back in sessions/2026/11/22/ from the file name
    assert.equal((await Deno.stat(restored)).mtime!.getTime(), now.getTime());
    assert.equal(index.get(id)?.archived, false);
    assert.equal(index.get(id)?.updatedAt, now.getTime() / 1000);
    assert.equal((await index.list({})).data[0]?.id, id);
  } finally {
    index.close();
  }
});

Deno.test("archive errors use the reference's texts", async () => {
  await using tmp = await tempCodexHome();
  const missing = newThreadId(CREATED);
  await assert.rejects(archiveRollout(tmp.home, missing), (e: unknown) => {
    assert.ok(e instanceof RolloutNotFoundError);
    assert.equal(e.message, `no rollout found for thread id ${missing}`);
    return true;
  });
  const { id } = await writeTestThread(tmp.home, { createdAtMs: CREATED });
  await assert.rejects(
    unarchiveRollout(tmp.home, id),
    { message: `no archived rollout found for thread id ${id}` },
  );
  await archiveRollout(tmp.home, id);
  await assert.rejects(archiveRollout(tmp.home, id), {
    message: `no rollout found for thread id ${id}`,
  });
});

Deno.test("findRollout without an index: day folder from the id, then a full walk", async () => {
  await using tmp = await tempCodexHome();
  const { id, path } = await writeTestThread(tmp.home, { createdAtMs: CREATED });
  assert.equal(await findRollout(tmp.home, id), path);
  assert.equal(await findRollout(tmp.home, id.toUpperCase()), path);

  // A file whose folder does not match its id's day (moved by hand) is still found.
  const odd = newThreadId(CREATED);
  const oddPath = join(tmp.home, "sessions", "misc", `rollout-2020-01-01T00-00-00-${odd}.jsonl`);
  await Deno.mkdir(join(tmp.home, "sessions", "misc"), { recursive: true });
  await Deno.copyFile(path, oddPath);
  assert.equal(await findRollout(tmp.home, odd), oddPath);
  assert.equal(await findRollout(tmp.home, newThreadId(CREATED)), null);
});

Deno.test("a stale index entry falls back to the disk", async () => {
  await using tmp = await tempCodexHome();
  const { id, path } = await writeTestThread(tmp.home, { createdAtMs: CREATED });
  const index = await ThreadIndex.open(tmp.home);
  try {
    // Another process archived it; our index still says live.
    const elsewhere = await archiveRollout(tmp.home, id);
    assert.equal(index.get(id)?.rolloutPath, path);
    assert.equal(await findRollout(tmp.home, id, { index }), null);
    const back = await unarchiveRollout(tmp.home, id, { index });
    assert.equal(back, path);
    assert.notEqual(back, elsewhere);
    assert.equal(index.get(id)?.archived, false);
  } finally {
    index.close();
  }
});
