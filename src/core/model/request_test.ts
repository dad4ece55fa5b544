import assert from "node:assert/strict";
import { buildResponsesRequest, requestItem } from "./request.ts";

// Shapes captured from Codex 0.105.0 against a loopback provider (instructions, input and
// tools elided; only the structure and the scalar settings are compared).
const CAPTURED_KEYS = [
  "model",
  "instructions",
  "input",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning",
  "store",
  "stream",
  "include",
  "prompt_cache_key",
  "text",
];

Deno.test("buildResponsesRequest: reasoning model with an output schema matches the reference", () => {
  const schema = {
    type: "object",
    properties: { a: { type: "string" } },
    required: ["a"],
    additionalProperties: false,
  };
  const body = buildResponsesRequest({
    model: "gpt-5.2-codex",
    instructions: "be brief",
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "hi" }] }],
    parallelToolCalls: true,
    reasoning: { effort: "high", summary: "detailed" },
    promptCacheKey: "thread-1",
    outputSchema: schema,
  });
  assert.deepEqual(Object.keys(body), CAPTURED_KEYS);
  const { instructions: _i, input: _n, tools: _t, ...rest } = body;
  assert.deepEqual(rest, {
    model: "gpt-5.2-codex",
    tool_choice: "auto",
    parallel_tool_calls: true,
    reasoning: { effort: "high", summary: "detailed" },
    store: false,
    stream: true,
    include: ["reasoning.encrypted_content"],
    prompt_cache_key: "thread-1",
    text: {
      format: { type: "json_schema", strict: true, schema, name: "codex_output_schema" },
    },
  });
});

Deno.test("buildResponsesRequest: without reasoning, reasoning is null and include empty", () => {
  const body = buildResponsesRequest({
    model: "mock-model",
    instructions: "x",
    input: [],
    promptCacheKey: "t",
  });
  assert.deepEqual(Object.keys(body), CAPTURED_KEYS.slice(0, -1));
  assert.equal(body.reasoning, null);
  assert.deepEqual(body.include, []);
  assert.equal(body.parallel_tool_calls, false);
  assert.equal("text" in body, false);
});

Deno.test("buildResponsesRequest: verbosity, summary none and tools", () => {
  const body = buildResponsesRequest({
    model: "m",
    instructions: "x",
    input: [],
    verbosity: "low",
    reasoning: { effort: "medium", summary: "none" },
    tools: [
      { type: "function", name: "f", description: "does f", parameters: { type: "object" } },
      {
        type: "custom",
        name: "apply_patch",
        description: "edits",
        format: { type: "grammar", syntax: "lark", definition: "start: x" },
      },
      { type: "web_search" },
    ],
  });
  assert.deepEqual(body.reasoning, { effort: "medium" });
  assert.deepEqual(body.text, { verbosity: "low" });
  assert.equal("prompt_cache_key" in body, false);
  assert.deepEqual(body.tools, [
    {
      type: "function",
      name: "f",
      description: "does f",
      strict: false,
      parameters: { type: "object" },
    },
    {
      type: "custom",
      name: "apply_patch",
      description: "edits",
      format: { type: "grammar", syntax: "lark", definition: "start: x" },
    },
    { type: "web_search", external_web_access: false },
  ]);
});

Deno.test("requestItem: drops provider ids and output-only content fields", () => {
  assert.deepEqual(
    requestItem({
      type: "message",
      role: "assistant",
      id: "msg_1",
      content: [{ type: "output_text", text: "hi", annotations: [] }],
    }),
    { type: "message", role: "assistant", content: [{ type: "output_text", text: "hi" }] },
  );
  assert.deepEqual(
    requestItem({ type: "function_call", id: "fc_1", call_id: "c", name: "f", arguments: "{}" }),
    { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
  );
});
