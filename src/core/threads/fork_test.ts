import assert from "node:assert/strict";
import { basename, dirname } from "node:path";
import { readRollout } from "../rollout/rollout_reader.ts";
import { testMeta } from "../rollout/_test_rollouts.ts";
import type { RolloutRecord } from "../rollout/rollout_format.ts";
import { closeOpenTurn, forkMeta, readForkSource, writeForkRollout } from "./fork.ts";
import { buildTurns } from "./history.ts";

const SOURCE_ID = "01a20167-165e-73d3-a2d4-7438e01d7599";
const FORK_ID = "01a20168-0000-7000-8000-000000000001";

function identity(createdAt = new Date("2026-11-22T05:00:00.000Z")) {
  return {
    id: FORK_ID,
    createdAt,
    originator: "codex_test",
    cwd: "/work/other",
    modelProvider: "mock",
    baseInstructions: "be brief",
  };
}

Deno.test("forkMeta() names the source and takes the fork's own settings", () => {
  const source = testMeta(SOURCE_ID, Date.now(), { git: { branch: "main" }, source: "cli" });
  const meta = forkMeta(source, identity());
  assert.equal(meta.id, FORK_ID);
  assert.equal(meta.forked_from_id, SOURCE_ID);
  assert.equal(meta.timestamp, "2026-11-22T05:00:00.000Z");
  assert.equal(meta.cwd, "/work/other");
  assert.equal(meta.source, "vscode");
  assert.deepEqual(meta.base_instructions, { text: "be brief" });
  assert.deepEqual(meta.git, { branch: "main" });
});

Deno.test("writeForkRollout() writes session_meta then the copied records, nothing else", async () => {
  const home = await Deno.makeTempDir({ prefix: "codex_fork_test_" });
  try {
    const records: RolloutRecord[] = [
      { timestamp: "2026-01-01T00:00:00.000Z", type: "event_msg", payload: { type: "x" } },
      { timestamp: "2026-01-01T00:00:01.000Z", type: "response_item", payload: { type: "y" } },
    ];
    const meta = forkMeta(testMeta(SOURCE_ID, Date.now()), identity());
    const path = await writeForkRollout(home, meta, records);
    assert.equal(basename(path), `rollout-2026-11-22T05-00-00-${FORK_ID}.jsonl`);
    const back = await readRollout(path);
    assert.deepEqual(back.meta, meta);
    assert.deepEqual(back.records.slice(1), records, "timestamps kept");
    const names = [];
    for await (const e of Deno.readDir(dirname(path))) names.push(e.name);
    assert.deepEqual(names, [basename(path)], "no temporary file left");
    const source = await readForkSource(path);
    assert.equal(source?.records.length, 2, "the fork's own session_meta is not copied again");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("readForkSource() is null for a file without session_meta", async () => {
  const path = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    await Deno.writeTextFile(path, '{"timestamp":"","type":"event_msg","payload":{}}\n');
    assert.equal(await readForkSource(path), null);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("closeOpenTurn() aborts a turn the source was still running, only that", () => {
  const ev = (payload: Record<string, unknown>): RolloutRecord => ({
    timestamp: "2026-01-01T00:00:00.000Z",
    type: "event_msg",
    payload,
  });
  const done = [
    ev({ type: "task_started", turn_id: "t1" }),
    ev({ type: "task_complete", turn_id: "t1" }),
  ];
  assert.equal(closeOpenTurn(done), done);
  const running = [...done, ev({ type: "task_started", turn_id: "t2" })];
  const closed = closeOpenTurn(running);
  assert.equal(closed.length, 4);
  assert.deepEqual(closed[3]!.payload, {
    type: "turn_aborted",
    turn_id: "t2",
    reason: "interrupted",
  });
  assert.equal(buildTurns(closed)[1]!.status, "interrupted");
});
