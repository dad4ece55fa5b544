import assert from "node:assert/strict";
import { join } from "node:path";
import { tempCodexHome, writeTestThread } from "../core/rollout/_test_rollouts.ts";
import { THREAD_INDEX_FILE } from "../core/rollout/thread_index.ts";
import { AppServer } from "./app_server.ts";

Deno.test("app server: the thread index is opened on first use, once, and reconciled", async () => {
  await using tmp = await tempCodexHome();
  const { id } = await writeTestThread(tmp.home, { createdAtMs: Date.UTC(2026, 0, 1) });
  const server = new AppServer({ codexHome: tmp.home, env: {} });
  await assert.rejects(Deno.stat(join(tmp.home, THREAD_INDEX_FILE)));
  const [first, second] = await Promise.all([
    server.context.threadIndex(),
    server.context.threadIndex(),
  ]);
  try {
    assert.equal(first, second);
    assert.equal(await server.context.threadIndex(), first);
    assert.equal(first.get(id)?.id, id);
  } finally {
    first.close();
  }
});
