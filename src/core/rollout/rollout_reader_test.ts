import assert from "node:assert/strict";
import { join } from "node:path";
import { Thread } from "../../protocol/schema/thread.ts";
import { tempCodexHome, testMeta } from "./_test_rollouts.ts";
import { readRollout } from "./rollout_reader.ts";
import { summarizeRollout, toWireThread } from "./thread_summary.ts";

const FIXTURE = join(
  import.meta.dirname!,
  "testdata",
  "rollout-2026-11-22T03-57-42-01a20167-165e-73d3-a2d4-7438e01d7531.jsonl",
);

Deno.test("readRollout reads a rollout shaped like the reference's", async () => {
  const contents = await readRollout(FIXTURE);
  assert.deepEqual(contents.skipped, []);
  assert.equal(contents.records.length, 13);
  assert.deepEqual(
    contents.records.map((r) => r.type === "event_msg" ? `event_msg/${r.payload.type}` : r.type),
    [
      "session_meta",
      "response_item",
      "response_item",
      "response_item",
      "event_msg/task_started",
      "response_item",
      "event_msg/user_message",
      "turn_context",
      "event_msg/token_count",
      "event_msg/agent_message",
      "response_item",
      "event_msg/token_count",
      "event_msg/task_complete",
    ],
  );
  assert.equal(contents.meta?.id, "01a20167-165e-73d3-a2d4-7438e01d7531");
  assert.equal(contents.meta?.source, "vscode");
  assert.equal(contents.meta?.cli_version, "0.105.0");
});

Deno.test("summarizeRollout derives the thread from a reference-shaped rollout", async () => {
  const summary = await summarizeRollout(FIXTURE);
  assert.ok(summary);
  const mtime = Math.floor((await Deno.stat(FIXTURE)).mtime!.getTime() / 1000);
  assert.deepEqual({ ...summary, rolloutPath: "" }, {
    id: "01a20167-165e-73d3-a2d4-7438e01d7531",
    rolloutPath: "",
    archived: false,
    createdAt: 1795319862,
    updatedAt: mtime,
    source: "vscode",
    sourceKind: "vscode",
    modelProvider: "mock",
    cwd: "/home/dev/project",
    cliVersion: "0.105.0",
    preview: "second thread hello",
    hasUserMessage: true,
    gitInfo: {
      sha: "ed5f8ff3fe948760e5f2bd839d9ba46fadd511a3",
      branch: "master",
      originUrl: "https://example.com/x.git",
    },
    agentNickname: null,
    agentRole: null,
    forkedFromId: null,
    name: null,
  });
  const wire = toWireThread(summary, { type: "notLoaded" });
  assert.deepEqual(Thread.parse(wire), wire);
  assert.equal(wire.path, FIXTURE);
});

async function writeLines(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text);
}

const line = (o: unknown) => JSON.stringify(o) + "\n";
const meta = (id: string, extra = {}) =>
  line({ timestamp: "t", type: "session_meta", payload: testMeta(id, 1_700_000_000_000, extra) });
const user = (text: string) =>
  line({ timestamp: "t", type: "event_msg", payload: { type: "user_message", message: text } });

Deno.test("a torn last line is skipped and reported; bad middle lines only warn", async () => {
  await using tmp = await tempCodexHome();
  const path = join(tmp.home, "r.jsonl");
  await writeLines(
    path,
    meta("a") + "not json\n" + line([1]) + line({ type: "x" }) + "\n" + user("hi") +
      '{"timestamp":"2026-11-22T03:5',
  );
  const contents = await readRollout(path);
  assert.deepEqual(contents.records.map((r) => r.type), ["session_meta", "event_msg"]);
  assert.deepEqual(contents.skipped.map((s) => [s.line, s.torn]), [
    [2, false],
    [3, false],
    [4, false],
    [7, true],
  ]);
  assert.equal((await summarizeRollout(path))?.preview, "hi");
});

Deno.test("an unterminated last line that parses is kept (only its newline was lost)", async () => {
  await using tmp = await tempCodexHome();
  const path = join(tmp.home, "r.jsonl");
  await writeLines(path, meta("a") + user("hi").trimEnd());
  const contents = await readRollout(path);
  assert.equal(contents.records.length, 2);
  assert.deepEqual(contents.skipped, []);
});

Deno.test("invalid UTF-8 and lines spanning read chunks are handled", async () => {
  await using tmp = await tempCodexHome();
  const path = join(tmp.home, "r.jsonl");
  const big = "é".repeat(200_000); // crosses several stream chunks, multi-byte at the edges
  const bytes = new TextEncoder().encode(meta("a") + user(big));
  const bad = new Uint8Array([0xff, 0xfe, 0x0a]);
  const all = new Uint8Array(bytes.length + bad.length);
  all.set(bytes);
  all.set(bad, bytes.length);
  await Deno.writeFile(path, all);
  const contents = await readRollout(path);
  assert.equal(contents.records[1]!.payload.message, big);
  assert.equal(contents.skipped.length, 1);
});

Deno.test("summaries of sub-agent, app-server and empty rollouts", async () => {
  await using tmp = await tempCodexHome();
  const spawn = {
    subagent: {
      thread_spawn: { parent_thread_id: "p", depth: 1, agent_nickname: "Nova", agent_role: "r" },
    },
  };
  const sub = join(tmp.home, "sub.jsonl");
  await writeLines(sub, meta("s", { source: spawn, forked_from_id: "f" }) + user(""));
  const s = await summarizeRollout(sub);
  assert.deepEqual(s?.source, { subAgent: spawn.subagent });
  assert.equal(s?.sourceKind, "subAgentThreadSpawn");
  assert.equal(s?.agentNickname, "Nova");
  assert.equal(s?.agentRole, "r");
  assert.equal(s?.forkedFromId, "f");
  assert.equal(s?.hasUserMessage, true);
  assert.equal(s?.preview, "");

  const mcp = join(tmp.home, "mcp.jsonl");
  await writeLines(mcp, meta("m", { source: "mcp", model_provider: undefined }));
  const m = await summarizeRollout(mcp, { defaultModelProvider: "openai" });
  assert.equal(m?.source, "appServer");
  assert.equal(m?.modelProvider, "openai");
  assert.equal(m?.hasUserMessage, false);

  const none = join(tmp.home, "none.jsonl");
  await writeLines(none, user("orphan"));
  assert.equal(await summarizeRollout(none), null);
});
