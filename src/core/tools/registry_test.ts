import assert from "node:assert/strict";
import { outputItem, toolCallOf, toolSetFor } from "./registry.ts";
import type { ThreadSettings } from "../threads/thread.ts";

const names = (settings: Partial<ThreadSettings>) =>
  toolSetFor(settings as ThreadSettings).specs.map((s) => "name" in s ? s.name : s.type);

Deno.test("toolSetFor: built-ins follow the settings; dynamic tools win a name clash", () => {
  assert.deepEqual(names({}), [
    "exec_command",
    "write_stdin",
    "apply_patch",
    "update_plan",
    "view_image",
  ]);
  assert.deepEqual(
    names({ unifiedExec: false, viewImage: false, collaborationMode: "plan" }),
    ["shell_command", "apply_patch", "update_plan", "request_user_input"],
  );
  const applyPatch = toolSetFor({ freeformApplyPatch: false } as ThreadSettings).specs
    .find((s) => "name" in s && s.name === "apply_patch");
  assert.equal(applyPatch?.type, "function");
  const set = toolSetFor({
    dynamicTools: [{ name: "update_plan", description: "mine", inputSchema: { type: "object" } }],
  } as ThreadSettings);
  const plans = set.specs.filter((s) => "name" in s && s.name === "update_plan");
  assert.equal(plans.length, 1);
  assert.equal((plans[0] as { description: string }).description, "mine");
  assert.ok(set.handlers.has("shell_command"), "shell_command is handled even when not offered");
});

Deno.test("toolCallOf and outputItem: function and custom calls", () => {
  const fn = toolCallOf({ type: "function_call", name: "f", call_id: "c1", arguments: "{}" });
  assert.deepEqual(fn && { kind: fn.kind, payload: fn.payload }, {
    kind: "function",
    payload: "{}",
  });
  const custom = toolCallOf({
    type: "custom_tool_call",
    name: "apply_patch",
    call_id: "c2",
    input: "x",
  });
  assert.equal(custom?.kind, "custom");
  assert.equal(toolCallOf({ type: "message", role: "assistant" }), null);
  assert.deepEqual(outputItem(custom!, [{ type: "input_text", text: "a" }]), {
    type: "custom_tool_call_output",
    call_id: "c2",
    output: "a",
  });
  assert.deepEqual(outputItem(fn!, "ok"), {
    type: "function_call_output",
    call_id: "c1",
    output: "ok",
  });
});
