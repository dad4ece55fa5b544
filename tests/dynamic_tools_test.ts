/**
 * Client-side dynamic tools (§7): validation at `thread/start`, exposure to the model, the
 * `item/tool/call` round trip (result and error reply), the experimental `dynamicToolCall`
 * items, and a resumed thread keeping its tools.
 */

import assert from "node:assert/strict";
import { functionCall, textTurn, turn } from "./support/mock_model.ts";
import type { Msg } from "./support/clients.ts";
import {
  connectClient,
  runTurn,
  withThreadHarness,
  withThreadServer,
} from "./support/thread_harness.ts";
import { makeWorkspace, nextServerRequest, reply, toolOutput } from "./support/tool_harness.ts";

const lookup = {
  name: "lookup_ticket",
  description: "Finds a ticket by id.",
  inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
};

Deno.test("dynamic tools: validation errors name the problem", async () => {
  await withThreadServer(async (s) => {
    const c = await connectClient(s, { experimentalApi: true });
    const cases: Array<[unknown[], string]> = [
      [[{ ...lookup, name: "" }], "dynamic tool name must not be empty"],
      [[{ ...lookup, name: " x" }], "dynamic tool name has leading/trailing whitespace:  x"],
      [[lookup, lookup], "duplicate dynamic tool name: lookup_ticket"],
      [[{ ...lookup, name: "mcp__x" }], "dynamic tool name is reserved: mcp__x"],
      [
        [{ ...lookup, inputSchema: 5 }],
        "dynamic tool input schema is not supported for lookup_ticket: invalid type: integer `5`, expected internally tagged enum JsonSchema",
      ],
    ];
    for (const [dynamicTools, message] of cases) {
      const res = await c.request("thread/start", { dynamicTools });
      assert.equal(res.error?.code, -32600, JSON.stringify(res));
      assert.equal(res.error.message, message);
    }
    const bogus = await c.request("thread/start", {
      dynamicTools: [{ ...lookup, inputSchema: { type: "bogus" } }],
    });
    assert.match(
      bogus.error.message,
      /^dynamic tool input schema is not supported for lookup_ticket: unknown variant `bogus`/,
    );
    // Nothing was created by the refused starts.
    const loaded = await c.request("thread/loaded/list", {});
    assert.deepEqual(loaded.result.data, []);
    // Without the experimental capability the field itself is refused.
    const plain = await connectClient(s);
    const gated = await plain.request("thread/start", { dynamicTools: [lookup] });
    assert.match(gated.error.message, /thread\/start\.dynamicTools requires experimentalApi/);
  });
});

Deno.test("dynamic tools: offered to the model, called through item/tool/call, results returned", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s, { experimentalApi: true });
    const start = await c.request("thread/start", {
      cwd: await makeWorkspace(),
      dynamicTools: [lookup],
    });
    const threadId = start.result.thread.id;
    h.mock.enqueue(turn([functionCall("lookup_ticket", { id: "T-1" }, "call_dyn")]));
    h.mock.enqueue(turn([functionCall("lookup_ticket", { id: "T-2" }, "call_dyn_err")]));
    h.mock.enqueue(textTurn("done"));
    const res = await c.request("turn/start", {
      threadId,
      input: [{ type: "text", text: "find" }],
    });
    const turnId = res.result.turn.id;
    const call = await nextServerRequest(c, "item/tool/call");
    assert.deepEqual(call.params, {
      threadId,
      turnId,
      callId: "call_dyn",
      tool: "lookup_ticket",
      arguments: { id: "T-1" },
    });
    await reply(c, call, {
      contentItems: [
        { type: "inputText", text: "ticket T-1: open" },
        { type: "inputImage", imageUrl: "data:image/png;base64,AAAA" },
      ],
      success: true,
    });
    const from = c.received.indexOf(call) + 1;
    const second = await nextServerRequest(c, "item/tool/call", from);
    await c.send({ id: second.id, error: { code: -32000, message: "backend down" } });
    await c.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === turnId);
    const body = h.mock.requests[0]!.body as { tools: Msg[] };
    assert.deepEqual(body.tools.find((t) => t.name === "lookup_ticket"), {
      type: "function",
      name: "lookup_ticket",
      description: "Finds a ticket by id.",
      strict: false,
      parameters: lookup.inputSchema,
    });
    assert.deepEqual(toolOutput(h.mock, "call_dyn"), [
      { type: "input_text", text: "ticket T-1: open" },
      { type: "input_image", image_url: "data:image/png;base64,AAAA" },
    ]);
    assert.deepEqual(toolOutput(h.mock, "call_dyn_err"), [
      { type: "input_text", text: "dynamic tool request failed" },
    ]);
    const items = c.received.filter((m) =>
      (m.method === "item/started" || m.method === "item/completed") &&
      m.params.item.type === "dynamicToolCall"
    );
    assert.deepEqual(items.map((m) => `${m.method}:${m.params.item.status}`), [
      "item/started:inProgress",
      "item/completed:completed",
      "item/started:inProgress",
      "item/completed:failed",
    ]);
  });
});

Deno.test("dynamic tools: a resumed thread keeps its tools", async () => {
  await withThreadHarness(async (h) => {
    const first = await h.start();
    const c = await connectClient(first, { experimentalApi: true });
    const start = await c.request("thread/start", {
      cwd: await makeWorkspace(),
      dynamicTools: [lookup],
    });
    const threadId = start.result.thread.id;
    h.mock.enqueue(textTurn("hello"));
    await runTurn(c, threadId, "hi");
    await c.close();
    await first.server.close();

    const second = await h.start();
    const d = await connectClient(second, { experimentalApi: true });
    const resumed = await d.request("thread/resume", { threadId });
    assert.ok(resumed.result, JSON.stringify(resumed));
    h.mock.enqueue(textTurn("again"));
    await runTurn(d, threadId, "again");
    const tools = (h.mock.requests.at(-1)!.body as { tools: Msg[] }).tools.map((t) => t.name);
    assert.ok(tools.includes("lookup_ticket"), String(tools));
  });
});
