/**
 * Command approvals end to end (§3.4): the request's payload and the thread status while it
 * waits, and every way it can end: accept, acceptForSession (no second prompt), decline,
 * cancel (the turn is interrupted), an error reply (the item fails, the turn goes on), an
 * undecodable reply (decline), two subscribers (the first reply wins), the last subscriber
 * disconnecting, and `approval_timeout_secs`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { functionCall, textTurn, turn } from "./support/mock_model.ts";
import type { Msg } from "./support/clients.ts";
import {
  type AnyClient,
  connectClient,
  noteLabel,
  v2Notifications,
  withThreadServer,
} from "./support/thread_harness.ts";
import {
  completedItem,
  enqueueShell,
  makeWorkspace,
  nextServerRequest,
  policyConfig,
  reply,
  startThread,
  toolOutput,
} from "./support/tool_harness.ts";

const untrusted = policyConfig("untrusted", "danger-full-access");

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Starts a turn whose model asks to create `file`; returns the turn id. */
async function startTouchTurn(
  c: AnyClient,
  threadId: string,
  mock: Parameters<typeof enqueueShell>[0],
  callId: string,
): Promise<string> {
  enqueueShell(mock, "touch created.txt", { callId });
  const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
  assert.ok(res.result, JSON.stringify(res));
  return res.result.turn.id;
}

function turnCompleted(c: AnyClient, turnId: string): Promise<Msg> {
  return c.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === turnId);
}

Deno.test("approval accept: payload, waitingOnApproval while pending, then the command runs", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    const from = c.received.length;
    const turnId = await startTouchTurn(c, threadId, h.mock, "call_a");
    const req = await nextServerRequest(c, "item/commandExecution/requestApproval");
    assert.deepEqual(Object.keys(req.params).sort(), [
      "command",
      "commandActions",
      "cwd",
      "itemId",
      "proposedExecpolicyAmendment",
      "threadId",
      "turnId",
    ]);
    assert.equal(req.params.itemId, "call_a");
    assert.equal(req.params.turnId, turnId);
    assert.equal(req.params.cwd, ws);
    assert.deepEqual(req.params.proposedExecpolicyAmendment, ["touch", "created.txt"]);
    assert.deepEqual(req.params.commandActions, [{
      type: "unknown",
      command: "touch created.txt",
    }]);
    assert.equal(await exists(join(ws, "created.txt")), false, "nothing ran before the answer");
    // 0.105's core event comes just before the request.
    const legacy = c.received[c.received.indexOf(req) - 1]!;
    assert.equal(legacy.method, "codex/event/exec_approval_request");
    assert.deepEqual(legacy.params.msg.command.slice(1), ["-lc", "touch created.txt"]);
    assert.equal(legacy.params.msg.call_id, "call_a");
    await reply(c, req, { decision: "accept" });
    await turnCompleted(c, turnId);
    assert.ok(await exists(join(ws, "created.txt")));
    const labels = v2Notifications(c, from).map((m) =>
      m.method === "thread/status/changed"
        ? `status:${m.params.status.type}:${(m.params.status.activeFlags ?? []).join(",")}`
        : noteLabel(m)
    );
    const at = (l: string) => labels.indexOf(l);
    assert.ok(at("item/started:commandExecution") < at("status:active:waitingOnApproval"));
    assert.ok(at("status:active:waitingOnApproval") < labels.lastIndexOf("status:active:"));
    assert.ok(labels.lastIndexOf("status:active:") < at("item/completed:commandExecution"));
    assert.equal((await completedItem(c, "call_a")).params.item.status, "completed");
  }, untrusted);
});

Deno.test("approval decline, error reply and garbage reply", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    const cases: Array<[string, (req: Msg) => Promise<void>, string, RegExp]> = [
      ["call_dec", (r) => reply(c, r, { decision: "decline" }), "declined", /rejected by user/],
      [
        "call_err",
        (r) => c.send({ id: r.id, error: { code: -32000, message: "client broke" } }),
        "failed",
        /client broke/,
      ],
      ["call_bad", (r) => reply(c, r, { decision: "maybe" }), "declined", /could not be read/],
    ];
    for (const [callId, answer, status, modelText] of cases) {
      const from = c.received.length;
      const turnId = await startTouchTurn(c, threadId, h.mock, callId);
      const req = await nextServerRequest(c, "item/commandExecution/requestApproval", from);
      await answer(req);
      const done = await turnCompleted(c, turnId);
      assert.equal(done.params.turn.status, "completed", callId);
      const item = (await completedItem(c, callId)).params.item;
      assert.equal(item.status, status, callId);
      assert.match(String(toolOutput(h.mock, callId)), modelText);
      const completions = c.received.filter((m) =>
        m.method === "item/completed" && m.params.item.id === callId
      );
      assert.equal(completions.length, 1, "exactly one item/completed");
    }
    assert.equal(await exists(join(ws, "created.txt")), false);
  }, untrusted);
});

Deno.test("approval cancel interrupts the turn", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    const turnId = await startTouchTurn(c, threadId, h.mock, "call_cancel");
    const req = await nextServerRequest(c, "item/commandExecution/requestApproval");
    await reply(c, req, { decision: "cancel" });
    const done = await turnCompleted(c, turnId);
    assert.equal(done.params.turn.status, "interrupted");
    assert.equal((await completedItem(c, "call_cancel")).params.item.status, "declined");
    // The model was not called again after the cancel.
    assert.equal(h.mock.requests.length, 1);
  }, untrusted);
});

Deno.test("acceptForSession: the same command runs again without a second prompt", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(turn([functionCall("shell_command", { command: "touch a.txt" }, "call_1")]));
    h.mock.enqueue(turn([functionCall("shell_command", { command: "touch a.txt" }, "call_2")]));
    h.mock.enqueue(textTurn("done"));
    const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
    const req = await nextServerRequest(c, "item/commandExecution/requestApproval");
    await reply(c, req, { decision: "acceptForSession" });
    await turnCompleted(c, res.result.turn.id);
    const prompts = c.received.filter((m) => m.method === "item/commandExecution/requestApproval");
    assert.equal(prompts.length, 1);
    assert.equal((await completedItem(c, "call_2")).params.item.status, "completed");
  }, untrusted);
});

Deno.test("two subscribers get the same request; the first reply wins", async () => {
  await withThreadServer(async (s, h) => {
    const a = await connectClient(s, { experimentalApi: true });
    const b = await connectClient(s, { experimentalApi: true });
    const threadId = await startThread(a, await makeWorkspace());
    const resumed = await b.request("thread/resume", { threadId });
    assert.ok(resumed.result, JSON.stringify(resumed));
    const turnId = await startTouchTurn(a, threadId, h.mock, "call_two");
    const ra = await nextServerRequest(a, "item/commandExecution/requestApproval");
    const rb = await nextServerRequest(b, "item/commandExecution/requestApproval");
    assert.equal(ra.id, rb.id);
    await reply(b, rb, { decision: "decline" });
    await reply(a, ra, { decision: "accept" });
    await turnCompleted(a, turnId);
    assert.equal((await completedItem(a, "call_two")).params.item.status, "declined");
    for (const c of [a, b]) {
      const resolved = await c.waitFor((m) => m.method === "serverRequest/resolved");
      assert.deepEqual(resolved.params, { threadId, requestId: ra.id });
    }
  }, untrusted);
});

Deno.test("the last subscriber disconnecting declines the pending request", async () => {
  await withThreadServer(async (s, h) => {
    const a = await connectClient(s);
    const watcher = await connectClient(s);
    const threadId = await startThread(a, await makeWorkspace());
    await startTouchTurn(a, threadId, h.mock, "call_gone");
    await nextServerRequest(a, "item/commandExecution/requestApproval");
    await a.close();
    // The turn goes on without the client: the command is declined and the model told why.
    for (let i = 0; i < 100 && toolOutput(h.mock, "call_gone") === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const isStatus = (m: Msg, type: string) =>
      m.method === "thread/status/changed" && m.params.threadId === threadId &&
      m.params.status.type === type;
    await watcher.waitFor((m) => {
      const active = watcher.received.findIndex((x) => isStatus(x, "active"));
      return isStatus(m, "idle") && active >= 0 && watcher.received.indexOf(m) > active;
    });
    assert.match(String(toolOutput(h.mock, "call_gone")), /declined: no subscribed client/);
  }, untrusted);
});

Deno.test("approval_timeout_secs declines an unanswered request", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    const turnId = await startTouchTurn(c, threadId, h.mock, "call_slow");
    await nextServerRequest(c, "item/commandExecution/requestApproval");
    const done = await turnCompleted(c, turnId);
    assert.equal(done.params.turn.status, "completed");
    const item = (await completedItem(c, "call_slow")).params.item;
    assert.equal(item.status, "declined");
    assert.match(item.aggregatedOutput, /no answer within 1 s/);
    assert.match(String(toolOutput(h.mock, "call_slow")), /no answer within 1 s/);
  }, policyConfig("untrusted", "danger-full-access", { top: "approval_timeout_secs = 1\n" }));
});

Deno.test("known-safe commands run without a prompt under untrusted; never never asks", async () => {
  const cases: Array<[string, string]> = [["untrusted", "ls"], ["never", "touch x.txt"]];
  for (const [policy, command] of cases) {
    await withThreadServer(async (s, h) => {
      const c = await connectClient(s);
      const threadId = await startThread(c, await makeWorkspace());
      enqueueShell(h.mock, command, { callId: "call_q" });
      const res = await c.request("turn/start", {
        threadId,
        input: [{ type: "text", text: "go" }],
      });
      await turnCompleted(c, res.result.turn.id);
      assert.equal(
        c.received.filter((m) => m.method === "item/commandExecution/requestApproval").length,
        0,
        policy,
      );
      assert.equal((await completedItem(c, "call_q")).params.item.status, "completed");
    }, policyConfig(policy, "danger-full-access"));
  }
});

Deno.test("acceptWithExecpolicyAmendment: later commands with that prefix run without asking", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(turn([functionCall("shell_command", { command: "touch a.txt" }, "call_a1")]));
    h.mock.enqueue(turn([functionCall("shell_command", { command: "touch b.txt" }, "call_a2")]));
    h.mock.enqueue(turn([functionCall("shell_command", { command: "rmdir nothing" }, "call_a3")]));
    h.mock.enqueue(textTurn("done"));
    const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
    const first = await nextServerRequest(c, "item/commandExecution/requestApproval");
    await reply(c, first, {
      decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: ["touch"] } },
    });
    const third = await nextServerRequest(
      c,
      "item/commandExecution/requestApproval",
      c.received.indexOf(first) + 1,
    );
    assert.equal(third.params.itemId, "call_a3", "touch b.txt was not asked about");
    await reply(c, third, { decision: "decline" });
    await turnCompleted(c, res.result.turn.id);
    assert.equal((await completedItem(c, "call_a2")).params.item.status, "completed");
  }, untrusted);
});
