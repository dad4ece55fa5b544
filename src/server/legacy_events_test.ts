import assert from "node:assert/strict";
import { legacyNotes } from "./legacy_events.ts";

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
