import assert from "node:assert/strict";
import { SessionSource } from "../../protocol/schema/thread.ts";
import {
  gitInfoFromDisk,
  parseRolloutFileName,
  rolloutPathFor,
  sourceFromDisk,
  sourceKindOf,
  sourceToDisk,
} from "./rollout_format.ts";

const ID = "01a20166-dc90-7721-ae44-c7391568a74f";

Deno.test("rollout paths follow the reference layout, in UTC", () => {
  const created = new Date("2026-11-22T03:57:28.096Z");
  assert.equal(
    rolloutPathFor("/h", created, ID),
    `/h/sessions/2026/11/22/rollout-2026-11-22T03-57-28-${ID}.jsonl`,
  );
  const parsed = parseRolloutFileName(`rollout-2026-11-22T03-57-28-${ID}.jsonl`);
  assert.equal(parsed?.threadId, ID);
  assert.equal(parsed?.createdAt.toISOString(), "2026-11-22T03:57:28.000Z");
  assert.equal(parseRolloutFileName("rollout-2026-11-22T03-57-28.jsonl"), null);
  assert.equal(parseRolloutFileName(`notes-${ID}.jsonl`), null);
});

Deno.test("sources convert from the on-disk spelling to the wire and back", () => {
  const spawn = {
    subagent: {
      thread_spawn: {
        parent_thread_id: ID,
        depth: 1,
        agent_nickname: "Scout",
        agent_role: "explorer",
      },
    },
  };
  const cases: [unknown, unknown][] = [
    ["vscode", "vscode"],
    ["cli", "cli"],
    ["exec", "exec"],
    ["mcp", "appServer"],
    ["unknown", "unknown"],
    [{ subagent: "review" }, { subAgent: "review" }],
    [{ subagent: "compact" }, { subAgent: "compact" }],
    [{ subagent: { other: "x" } }, { subAgent: { other: "x" } }],
    [spawn, { subAgent: spawn.subagent }],
  ];
  for (const [disk, wire] of cases) {
    const converted = sourceFromDisk(disk);
    assert.deepEqual(converted, wire);
    SessionSource.parse(converted);
    assert.deepEqual(sourceToDisk(converted), disk);
  }
  assert.equal(sourceFromDisk("something_new"), "unknown");
  assert.equal(sourceFromDisk({ subagent: 7 }), "unknown");
  assert.equal(sourceFromDisk(null), "unknown");
});

Deno.test("each source has one list kind", () => {
  assert.equal(sourceKindOf("vscode"), "vscode");
  assert.equal(sourceKindOf("appServer"), "appServer");
  assert.equal(sourceKindOf({ subAgent: "review" }), "subAgentReview");
  assert.equal(sourceKindOf({ subAgent: "compact" }), "subAgentCompact");
  assert.equal(sourceKindOf({ subAgent: "memory_consolidation" }), "subAgentOther");
  assert.equal(sourceKindOf({ subAgent: { other: "x" } }), "subAgentOther");
  assert.equal(
    sourceKindOf({
      subAgent: {
        thread_spawn: { parent_thread_id: ID, depth: 1, agent_nickname: null, agent_role: null },
      },
    }),
    "subAgentThreadSpawn",
  );
});

Deno.test("git info: the reference's snake fields map to the wire; {} means none", () => {
  assert.deepEqual(
    gitInfoFromDisk({ commit_hash: "abc", branch: "main", repository_url: "https://x/y.git" }),
    { sha: "abc", branch: "main", originUrl: "https://x/y.git" },
  );
  assert.deepEqual(gitInfoFromDisk({ branch: "main" }), {
    sha: null,
    branch: "main",
    originUrl: null,
  });
  assert.equal(gitInfoFromDisk({}), null);
  assert.equal(gitInfoFromDisk(undefined), null);
});
