import assert from "node:assert/strict";
import { legacyNotes } from "./legacy_events.ts";
import type { ThreadItem } from "../protocol/schema/items.ts";

Deno.test("legacy notes carry the turn id, the core event and the thread id", () => {
  const notes = legacyNotes({
    kind: "agentMessageDelta",
    threadId: "t",
    turnId: "u",
    itemId: "i",
    delta: "d",
  });
  assert.deepEqual(notes, [
    {
      method: "codex/event/agent_message_content_delta",
      params: {
        id: "u",
        msg: {
          type: "agent_message_content_delta",
          thread_id: "t",
          turn_id: "u",
          item_id: "i",
          delta: "d",
        },
        conversationId: "t",
      },
    },
    {
      method: "codex/event/agent_message_delta",
      params: { id: "u", msg: { type: "agent_message_delta", delta: "d" }, conversationId: "t" },
    },
  ]);
});

Deno.test("an interrupted turn ends with turn_aborted; retries are stream errors", () => {
  const turn = { id: "u", items: [], status: "interrupted" as const, error: null };
  const [aborted] = legacyNotes({ kind: "turnCompleted", threadId: "t", turn });
  assert.deepEqual(aborted!.params.msg, {
    type: "turn_aborted",
    turn_id: "u",
    reason: "interrupted",
  });
  const [retry] = legacyNotes({
    kind: "error",
    threadId: "t",
    turnId: "u",
    willRetry: true,
    error: { message: "again", codexErrorInfo: null, additionalDetails: null },
  });
  assert.equal(retry!.method, "codex/event/stream_error");
  assert.deepEqual(
    legacyNotes({ kind: "statusChanged", threadId: "t", status: { type: "idle" } }),
    [],
  );
});

Deno.test("tool items mirror the core's exec, patch, diff and plan events", () => {
  const command = {
    type: "commandExecution",
    id: "c1",
    command: "/bin/bash -lc 'echo hi'",
    cwd: "/ws",
    processId: null,
    status: "completed",
    commandActions: [],
    aggregatedOutput: "hi\n",
    exitCode: 0,
    durationMs: 1500,
  } as unknown as ThreadItem;
  const types = (kind: "itemStarted" | "itemCompleted", item: ThreadItem) =>
    legacyNotes({ kind, threadId: "t", turnId: "u", item }).map((n) => n.params.msg);
  const [begin] = types("itemStarted", command);
  assert.equal(begin!.type, "exec_command_begin");
  assert.deepEqual(begin!.command, ["/bin/bash", "-lc", "echo hi"]);
  const [end] = types("itemCompleted", command);
  assert.equal(end!.type, "exec_command_end");
  assert.equal(end!.exit_code, 0);
  assert.deepEqual(end!.duration, { secs: 1, nanos: 0 });
  const patch = {
    type: "fileChange",
    id: "p1",
    changes: [{ path: "/ws/a", kind: { type: "add" }, diff: "x\n" }],
    status: "completed",
  } as unknown as ThreadItem;
  assert.deepEqual(types("itemCompleted", patch).map((m) => [m.type, m.success]), [
    ["patch_apply_end", true],
  ]);
  const diff = legacyNotes({ kind: "turnDiffUpdated", threadId: "t", turnId: "u", diff: "d" });
  assert.deepEqual(diff[0]!.params.msg, { type: "turn_diff", unified_diff: "d" });
  const plan = legacyNotes({
    kind: "planUpdated",
    threadId: "t",
    turnId: "u",
    explanation: null,
    plan: [{ step: "s", status: "inProgress" }],
  });
  assert.deepEqual(plan[0]!.params.msg.plan, [{ step: "s", status: "in_progress" }]);
});
