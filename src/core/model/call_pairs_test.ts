import assert from "node:assert/strict";
import { ABORTED_OUTPUT, pairToolCalls } from "./call_pairs.ts";

Deno.test("pairToolCalls: complete pairs pass unchanged", () => {
  const items = [
    { type: "message", role: "user", content: [] },
    { type: "function_call", call_id: "a", name: "f", arguments: "{}" },
    { type: "function_call_output", call_id: "a", output: "ok" },
  ];
  assert.deepEqual(pairToolCalls(items), items);
});

Deno.test("pairToolCalls: a call without output gets an aborted one; a lone output goes", () => {
  const items = [
    { type: "function_call_output", call_id: "ghost", output: "x" },
    { type: "function_call", call_id: "a", name: "f", arguments: "{}" },
    { type: "custom_tool_call", call_id: "b", name: "apply_patch", input: "p" },
    { type: "message", role: "user", content: [] },
  ];
  assert.deepEqual(pairToolCalls(items), [
    { type: "function_call", call_id: "a", name: "f", arguments: "{}" },
    { type: "function_call_output", call_id: "a", output: ABORTED_OUTPUT },
    { type: "custom_tool_call", call_id: "b", name: "apply_patch", input: "p" },
    { type: "custom_tool_call_output", call_id: "b", output: ABORTED_OUTPUT },
    { type: "message", role: "user", content: [] },
  ]);
});
