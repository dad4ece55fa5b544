import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { readRollout } from "../rollout/rollout_reader.ts";
import type { RolloutRecord } from "../rollout/rollout_format.ts";
import { buildTurns, userInputsOf } from "./history.ts";

const FIXTURE = fileURLToPath(
  new URL(
    "../rollout/testdata/rollout-2026-11-22T03-57-42-01a20167-165e-73d3-a2d4-7438e01d7531.jsonl",
    import.meta.url,
  ),
);

const T1 = "01a20167-166f-7e81-8c43-27eabe2ddac5";

function ev(payload: Record<string, unknown>): RolloutRecord {
  return { timestamp: "2026-01-01T00:00:00.000Z", type: "event_msg", payload };
}

function userMsg(text: string): RolloutRecord {
  return ev({ type: "user_message", message: text, images: [], local_images: [] });
}

Deno.test("history: the reference fixture rebuilds one completed turn with its real id", async () => {
  const contents = await readRollout(FIXTURE);
  assert.deepEqual(buildTurns(contents.records), [{
    id: T1,
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
});

Deno.test("history: response items and context messages never become items", () => {
  const turns = buildTurns([
    ev({ type: "task_started", turn_id: "t1" }),
    {
      timestamp: "",
      type: "response_item",
      payload: { type: "message", role: "user", content: [{ type: "input_text", text: "x" }] },
    },
    userMsg("hi"),
    ev({ type: "token_count", info: null }),
    ev({ type: "task_complete", turn_id: "t1" }),
  ]);
  assert.equal(turns.length, 1);
  assert.deepEqual(turns[0]!.items.map((i) => i.type), ["userMessage"]);
});

Deno.test("history: item ids run across turns; interrupted and failed turns keep their status", () => {
  const turns = buildTurns([
    ev({ type: "task_started", turn_id: "t1" }),
    userMsg("one"),
    ev({ type: "turn_aborted", turn_id: "t1", reason: "interrupted" }),
    ev({ type: "task_started", turn_id: "t2" }),
    userMsg("two"),
    ev({
      type: "error",
      message: "boom",
      codex_error_info: { http_connection_failed: { http_status_code: 502 } },
    }),
    ev({ type: "task_complete", turn_id: "t2" }),
    ev({ type: "task_started", turn_id: "t3" }),
    userMsg("three"),
    ev({ type: "error", message: "too long", codex_error_info: "context_window_exceeded" }),
    ev({ type: "task_started", turn_id: "t4" }),
    userMsg("four"),
    ev({ type: "agent_message", message: "done", phase: "final_answer" }),
    ev({ type: "task_complete", turn_id: "t4" }),
  ]);
  assert.deepEqual(turns.map((t) => [t.id, t.status]), [
    ["t1", "interrupted"],
    ["t2", "failed"],
    ["t3", "failed"],
    ["t4", "completed"],
  ]);
  assert.deepEqual(turns[1]!.error, {
    message: "boom",
    codexErrorInfo: { httpConnectionFailed: { httpStatusCode: 502 } },
    additionalDetails: null,
  });
  assert.deepEqual(turns[2]!.error?.codexErrorInfo, "contextWindowExceeded");
  assert.equal(turns[3]!.error, null);
  assert.deepEqual(turns.flatMap((t) => t.items.map((i) => i.id)), [
    "item-1",
    "item-2",
    "item-3",
    "item-4",
    "item-5",
  ]);
  assert.deepEqual(turns[3]!.items[1], {
    type: "agentMessage",
    id: "item-5",
    text: "done",
    phase: "final_answer",
  });
});

Deno.test("history: reasoning summary parts and raw content join one item", () => {
  const [turn] = buildTurns([
    ev({ type: "task_started", turn_id: "t1" }),
    userMsg("think"),
    ev({ type: "agent_reasoning", text: "first" }),
    ev({ type: "agent_reasoning", text: "second" }),
    ev({ type: "agent_reasoning_raw_content", text: "raw" }),
    ev({ type: "agent_reasoning", text: "next item" }),
    ev({ type: "agent_message", message: "answer" }),
    ev({ type: "task_complete", turn_id: "t1" }),
  ]);
  assert.deepEqual(turn!.items.slice(1), [
    { type: "reasoning", id: "item-2", summary: ["first", "second"], content: ["raw"] },
    { type: "reasoning", id: "item-3", summary: ["next item"], content: [] },
    { type: "agentMessage", id: "item-4", text: "answer", phase: null },
  ]);
});

Deno.test("history: a compaction turn holds one contextCompaction item", () => {
  const turns = buildTurns([
    ev({ type: "task_started", turn_id: "t1" }),
    userMsg("a"),
    ev({ type: "task_complete", turn_id: "t1" }),
    ev({ type: "task_started", turn_id: "t2" }),
    { timestamp: "", type: "compacted", payload: { message: "summary" } },
    ev({ type: "context_compacted" }),
    ev({ type: "task_complete", turn_id: "t2" }),
  ]);
  assert.deepEqual(turns[1], {
    id: "t2",
    status: "completed",
    error: null,
    items: [{ type: "contextCompaction", id: "item-2" }],
  });
});

Deno.test("history: without turn events each user message opens a turn named by turn_context", () => {
  const turns = buildTurns([
    userMsg("a"),
    { timestamp: "", type: "turn_context", payload: { turn_id: "ctx-1" } },
    ev({ type: "agent_message", message: "A" }),
    userMsg("b"),
    ev({ type: "agent_message", message: "B" }),
  ]);
  assert.deepEqual(turns.map((t) => [t.id, t.status, t.items.length]), [
    ["ctx-1", "completed", 2],
    ["turn-2", "inProgress", 2],
  ]);
});

Deno.test("history: thread_rolled_back drops the last turns", () => {
  const turns = buildTurns([
    ev({ type: "task_started", turn_id: "t1" }),
    userMsg("a"),
    ev({ type: "task_complete", turn_id: "t1" }),
    ev({ type: "task_started", turn_id: "t2" }),
    userMsg("b"),
    ev({ type: "task_complete", turn_id: "t2" }),
    ev({ type: "thread_rolled_back", num_turns: 1 }),
  ]);
  assert.deepEqual(turns.map((t) => t.id), ["t1"]);
});

Deno.test("history: user message content keeps text elements and images in order", () => {
  assert.deepEqual(
    userInputsOf({
      message: "see [img]",
      text_elements: [{ byte_range: { start: 4, end: 9 }, placeholder: "[img]" }, { bad: 1 }],
      images: ["data:image/png;base64,AA=="],
      local_images: ["/tmp/a.png"],
    }),
    [
      {
        type: "text",
        text: "see [img]",
        text_elements: [{ byteRange: { start: 4, end: 9 }, placeholder: "[img]" }],
      },
      { type: "image", url: "data:image/png;base64,AA==" },
      { type: "localImage", path: "/tmp/a.png" },
    ],
  );
  assert.deepEqual(userInputsOf({ message: "  ", images: null }), []);
});
