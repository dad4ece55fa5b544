/**
 * The smaller tools end to end: `update_plan` (`turn/plan/updated`), `view_image` (an
 * `imageView` item, the image sent to the model), `request_user_input` (refused in Default
 * mode, a `waitingOnUserInput` round trip in plan mode), and an approval over stdio.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { functionCall, textTurn, turn } from "./support/mock_model.ts";
import {
  connectClient,
  runTurn,
  runTurnWith,
  withThreadHarness,
  withThreadServer,
} from "./support/thread_harness.ts";
import {
  completedItem,
  makeWorkspace,
  nextServerRequest,
  policyConfig,
  reply,
  startThread,
  toolOutput,
} from "./support/tool_harness.ts";

const quiet = policyConfig("never", "danger-full-access");

/** A 1×1 PNG. */
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  ),
  (c) => c.charCodeAt(0),
);

Deno.test("update_plan sends turn/plan/updated; a bad plan is explained to the model", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(turn([
      functionCall("update_plan", {
        explanation: "two steps",
        plan: [{ step: "read", status: "completed" }, { step: "write", status: "in_progress" }],
      }, "call_plan"),
      functionCall("update_plan", { plan: [{ step: "x", status: "later" }] }, "call_bad"),
    ]));
    h.mock.enqueue(textTurn("done"));
    const done = await runTurn(c, threadId, "plan");
    const update = await c.waitFor((m) => m.method === "turn/plan/updated");
    assert.deepEqual(update.params, {
      threadId,
      turnId: done.params.turn.id,
      explanation: "two steps",
      plan: [{ step: "read", status: "completed" }, { step: "write", status: "inProgress" }],
    });
    const legacy = await c.waitFor((m) => m.method === "codex/event/plan_update");
    assert.equal(legacy.params.msg.plan[1].status, "in_progress");
    assert.equal(toolOutput(h.mock, "call_plan"), "Plan updated");
    assert.match(String(toolOutput(h.mock, "call_bad")), /plan\[0\] must be/);
  }, quiet);
});

Deno.test("view_image: an imageView item and the image in the model's next input", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    await Deno.writeFile(join(ws, "dot.png"), PNG);
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([
      functionCall("view_image", { path: "dot.png" }, "call_img"),
      functionCall("view_image", { path: "missing.png" }, "call_missing"),
    ]));
    h.mock.enqueue(textTurn("a dot"));
    await runTurn(c, threadId, "look");
    const item = (await completedItem(c, "call_img")).params.item;
    assert.deepEqual(item, { type: "imageView", id: "call_img", path: join(ws, "dot.png") });
    const output = toolOutput(h.mock, "call_img") as Array<{ type: string; image_url: string }>;
    assert.equal(output[0]!.type, "input_image");
    assert.match(output[0]!.image_url, /^data:image\/png;base64,iVBOR/);
    assert.match(String(toolOutput(h.mock, "call_missing")), /could not be read/);
  }, quiet);
});

Deno.test("request_user_input: unavailable in Default mode; a round trip in plan mode", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s, { experimentalApi: true });
    const threadId = await startThread(c, await makeWorkspace());
    const questions = [{
      id: "q1",
      header: "Pick",
      question: "Which color?",
      options: [{ label: "red", description: "warm" }, { label: "blue", description: "cold" }],
    }];
    h.mock.enqueue(turn([functionCall("request_user_input", { questions }, "call_def")]));
    h.mock.enqueue(textTurn("ok"));
    await runTurn(c, threadId, "ask me");
    assert.equal(
      toolOutput(h.mock, "call_def"),
      "request_user_input is unavailable in Default mode",
    );
    assert.equal(c.received.filter((m) => m.method === "item/tool/requestUserInput").length, 0);

    h.mock.enqueue(turn([functionCall("request_user_input", { questions }, "call_plan")]));
    h.mock.enqueue(textTurn("blue it is"));
    const started = c.request("turn/start", {
      threadId,
      input: [{ type: "text", text: "plan it" }],
      collaborationMode: { mode: "plan", settings: { model: "mock-model" } },
    });
    const req = await nextServerRequest(c, "item/tool/requestUserInput");
    const turnId = (await started).result.turn.id;
    assert.deepEqual(req.params, {
      threadId,
      turnId,
      itemId: "call_plan",
      questions: [{ ...questions[0], isOther: false, isSecret: false }],
    });
    const waiting = await c.waitFor((m) =>
      m.method === "thread/status/changed" &&
      m.params.status.activeFlags?.includes("waitingOnUserInput")
    );
    assert.ok(waiting);
    await reply(c, req, { answers: { q1: { answers: ["blue"] } } });
    await c.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === turnId);
    assert.equal(toolOutput(h.mock, "call_plan"), '{"answers":{"q1":{"answers":["blue"]}}}');
    const tools = (h.mock.requests.at(-1)!.body as { tools: { name?: string }[] }).tools;
    assert.ok(tools.some((t) => t.name === "request_user_input"));
  }, quiet);
});

Deno.test("stdio: a command approval round trip", async () => {
  await withThreadHarness(async (h) => {
    const { client } = await h.startStdio();
    const ws = await makeWorkspace();
    const threadId = await startThread(client, ws);
    h.mock.enqueue(
      turn([functionCall("shell_command", { command: "echo yes > f.txt" }, "call_s")]),
    );
    h.mock.enqueue(textTurn("done"));
    const done = runTurnWith(client, { threadId, input: [{ type: "text", text: "go" }] });
    const req = await nextServerRequest(client, "item/commandExecution/requestApproval");
    assert.equal(req.params.itemId, "call_s");
    await reply(client, req, { decision: "accept" });
    assert.equal((await done).params.turn.status, "completed");
    assert.equal(await Deno.readTextFile(join(ws, "f.txt")), "yes\n");
  }, policyConfig("untrusted", "workspace-write"));
});
