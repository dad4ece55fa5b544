import assert from "node:assert/strict";
import type { RawItem } from "../model/events.ts";
import { compactedHistory, isSummaryMessage, messageText, SUMMARY_PREFIX } from "./compaction.ts";
import { isContextMessage } from "./turn_context.ts";

const user = (text: string): RawItem => ({
  type: "message",
  role: "user",
  content: [{ type: "input_text", text }],
});
const assistant = (text: string): RawItem => ({
  type: "message",
  role: "assistant",
  id: "msg_1",
  content: [{ type: "output_text", text }],
});
const developer = (text: string): RawItem => ({
  type: "message",
  role: "developer",
  content: [{ type: "input_text", text }],
});
const env = user("<environment_context>\n  <cwd>/w</cwd>\n</environment_context>");
const docs = user("# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>\nx\n</INSTRUCTIONS>");

Deno.test("compactedHistory: context, user messages, then the summary", () => {
  const history: RawItem[] = [
    developer("be nice"),
    docs,
    env,
    user("first"),
    { type: "reasoning", id: "rs_1", summary: [] },
    assistant("answer one"),
    { type: "function_call", call_id: "c", name: "shell", arguments: "{}" },
    { type: "function_call_output", call_id: "c", output: "ok" },
    user("second"),
    assistant("answer two"),
  ];
  const out = compactedHistory(history, "SUMMARY");
  assert.deepEqual(out.slice(0, 5), [
    developer("be nice"),
    docs,
    env,
    user("first"),
    user("second"),
  ]);
  assert.equal(out.length, 6);
  assert.equal(messageText(out[5]!), SUMMARY_PREFIX + "SUMMARY");
  assert.ok(isSummaryMessage(out[5]!));
  assert.ok(!out.some((i) => i.role === "assistant" || i.type !== "message"));
});

Deno.test("compactedHistory: an earlier summary is replaced by the new one", () => {
  const first = compactedHistory([env, user("a"), assistant("b")], "OLD");
  const second = compactedHistory([...first, user("c"), assistant("d")], "NEW");
  const texts = second.map(messageText);
  assert.deepEqual(texts.slice(0, 3), [messageText(env), "a", "c"]);
  assert.equal(texts.length, 4);
  assert.ok(texts[3]!.endsWith("NEW"));
  assert.ok(!texts.some((t) => t.endsWith("OLD")));
});

Deno.test("compactedHistory: user messages kept newest first within the budget", () => {
  const big = (c: string) => user(c.repeat(400)); // 100 tokens each
  const history = [env, big("a"), big("b"), big("c"), big("d")];
  // 250 tokens: d and c whole, b cut to the 50 tokens left, a dropped.
  const out = compactedHistory(history, "S", 250);
  const texts = out.map(messageText);
  assert.equal(texts.length, 5);
  assert.equal(texts[0], messageText(env));
  assert.ok(texts[1]!.startsWith("b".repeat(200)) && texts[1]!.includes("truncated"));
  assert.ok(!texts[1]!.startsWith("b".repeat(201)));
  assert.equal(texts[2], "c".repeat(400));
  assert.equal(texts[3], "d".repeat(400));
});

Deno.test("compactedHistory: the newest user message stays whole even over the budget", () => {
  const out = compactedHistory([user("x".repeat(4000)), user("y".repeat(4000))], "S", 10);
  assert.deepEqual(out.map(messageText).slice(0, 1), ["y".repeat(4000)]);
  assert.equal(out.length, 2);
});

Deno.test("isContextMessage: developer, environment, AGENTS.md and Codex's own openings", () => {
  assert.ok(isContextMessage(developer("x")));
  assert.ok(isContextMessage(env));
  assert.ok(isContextMessage(docs));
  assert.ok(isContextMessage(user("<user_instructions>\nx\n</user_instructions>")));
  assert.ok(!isContextMessage(user("please fix <environment_context>")));
  assert.ok(!isContextMessage(assistant("<environment_context>")));
});
