import assert from "node:assert/strict";
import type { RawItem } from "../model/events.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import {
  dropLastTurns,
  dropLastUserTurns,
  estimateContextTokens,
  rollbackCut,
  rolledBackRecord,
} from "./rollback.ts";
import { replay } from "./thread_loader.ts";
import { isRealUserMessage, SUMMARY_PREFIX } from "./compaction.ts";

function msg(role: string, text: string): RawItem {
  const type = role === "assistant" ? "output_text" : "input_text";
  return { type: "message", role, content: [{ type, text }] };
}

const env = msg("user", "<environment_context>\n  <cwd>/w</cwd>\n</environment_context>");
const docs = msg("user", "# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>\nx\n</INSTRUCTIONS>");
const dev = msg("developer", "be brief");

/** env, then three turns: q1/a1, q2 (+ reasoning)/a2, q3/a3. */
const history: RawItem[] = [
  env,
  msg("user", "q1"),
  msg("assistant", "a1"),
  msg("user", "q2"),
  { type: "reasoning", summary: [] },
  msg("assistant", "a2"),
  msg("user", "q3"),
  msg("assistant", "a3"),
];

function texts(items: RawItem[]): string[] {
  return items.map((
    i,
  ) => ((i.content as Array<{ text?: string }> | undefined)?.[0]?.text ?? i.type))
    .map((t) => t.startsWith("<environment_context>") ? "env" : t);
}

Deno.test("isRealUserMessage() skips inserted context, summaries and other roles", () => {
  assert.equal(isRealUserMessage(msg("user", `${SUMMARY_PREFIX}summary`)), false);
  assert.equal(isRealUserMessage(msg("user", "hi")), true);
  assert.equal(isRealUserMessage(env), false);
  assert.equal(isRealUserMessage(docs), false);
  assert.equal(isRealUserMessage(dev), false);
  assert.equal(
    isRealUserMessage(msg("user", "<user_instructions>\nx\n</user_instructions>")),
    false,
  );
  assert.equal(isRealUserMessage(msg("assistant", "hi")), false);
  assert.equal(isRealUserMessage({ type: "function_call_output", call_id: "c" }), false);
});

Deno.test("dropLastUserTurns() cuts at the Nth-last user message", () => {
  assert.deepEqual(texts(dropLastUserTurns(history, 1)), [
    "env",
    "q1",
    "a1",
    "q2",
    "reasoning",
    "a2",
  ]);
  assert.deepEqual(texts(dropLastUserTurns(history, 2)), ["env", "q1", "a1"]);
});

Deno.test("dropLastUserTurns() keeps the initial context when dropping every turn", () => {
  assert.deepEqual(texts(dropLastUserTurns(history, 3)), ["env"]);
  assert.deepEqual(texts(dropLastUserTurns(history, 99)), ["env"]);
});

Deno.test("rollbackCut() changes nothing for 0 turns or a history without user turns", () => {
  assert.equal(rollbackCut(history, 0), history.length);
  assert.equal(rollbackCut(history, -1), history.length);
  assert.equal(rollbackCut([env, dev], 1), 2);
  assert.equal(rollbackCut([], 1), 0);
});

Deno.test("rollbackCut() drops the context update sent for a dropped turn", () => {
  const changed = msg("user", "<environment_context>\n  <cwd>/other</cwd>\n</environment_context>");
  const h = [env, dev, msg("user", "q1"), msg("assistant", "a1"), changed, msg("user", "q2")];
  assert.equal(rollbackCut(h, 1), 4);
  // Context before the first user turn always stays.
  assert.equal(rollbackCut(h, 2), 2);
});

Deno.test("dropLastTurns() drops from the end, all when asked for more", () => {
  const turns: Turn[] = ["a", "b", "c"].map((id) => ({
    id,
    items: [],
    status: "completed",
    error: null,
  }));
  assert.deepEqual(dropLastTurns(turns, 1).map((t) => t.id), ["a", "b"]);
  assert.deepEqual(dropLastTurns(turns, 5), []);
  assert.deepEqual(dropLastTurns(turns, 0).map((t) => t.id), ["a", "b", "c"]);
});

Deno.test("rolledBackRecord() is the reference's event", () => {
  assert.deepEqual(rolledBackRecord(2), {
    type: "event_msg",
    payload: { type: "thread_rolled_back", num_turns: 2 },
  });
});

Deno.test("estimateContextTokens() grows with the history", () => {
  const small = estimateContextTokens([env], "x");
  const large = estimateContextTokens(history, "x");
  assert.ok(small > 0 && large > small);
});

Deno.test("replay() applies a thread_rolled_back marker to history and turns alike", () => {
  const rec = (type: string, payload: Record<string, unknown>) => ({
    timestamp: "",
    type,
    payload,
  });
  const records = [rec("response_item", env)];
  for (const n of [1, 2, 3]) {
    records.push(
      rec("event_msg", { type: "task_started", turn_id: `t${n}` }),
      rec("response_item", msg("user", `q${n}`)),
      rec("event_msg", { type: "user_message", message: `q${n}` }),
      rec("response_item", msg("assistant", `a${n}`)),
      rec("event_msg", { type: "agent_message", message: `a${n}` }),
      rec("event_msg", { type: "task_complete", turn_id: `t${n}` }),
    );
  }
  records.push(rec("event_msg", { type: "thread_rolled_back", num_turns: 2 }));
  const state = replay(records);
  assert.deepEqual(texts(state.history), ["env", "q1", "a1"]);
  assert.deepEqual(state.turns.map((t) => t.id), ["t1"]);
});
