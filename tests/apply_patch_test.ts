/**
 * `apply_patch` end to end (§5.4): the `fileChange` item with per-file diffs, its output
 * delta, `turn/diff/updated`, approvals for patches, the shell heredoc form, and a patch that
 * does not apply.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { customToolCall, functionCall, textTurn, turn } from "./support/mock_model.ts";
import {
  connectClient,
  noteLabel,
  runTurn,
  v2Notifications,
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

const ADD_HELLO = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n+world\n*** End Patch\n";

Deno.test("apply_patch: add, then update with a move; items, deltas and the turn diff", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([customToolCall("apply_patch", ADD_HELLO, "call_add")]));
    h.mock.enqueue(turn([
      customToolCall(
        "apply_patch",
        "*** Begin Patch\n*** Update File: hello.txt\n*** Move to: greet.txt\n@@\n hello\n-world\n+there\n*** End Patch",
        "call_upd",
      ),
    ]));
    h.mock.enqueue(textTurn("done"));
    const from = c.received.length;
    await runTurn(c, threadId, "edit");
    assert.equal(await Deno.readTextFile(join(ws, "greet.txt")), "hello\nthere\n");
    await assert.rejects(Deno.stat(join(ws, "hello.txt")));
    const added = (await completedItem(c, "call_add")).params.item;
    assert.deepEqual(added.changes, [
      { path: join(ws, "hello.txt"), kind: { type: "add" }, diff: "hello\nworld\n" },
    ]);
    assert.equal(added.status, "completed");
    const updated = (await completedItem(c, "call_upd")).params.item;
    assert.deepEqual(updated.changes[0].kind, { type: "update", move_path: join(ws, "greet.txt") });
    assert.match(updated.changes[0].diff, /@@ -1,2 \+1,2 @@\n hello\n-world\n\+there\n/);
    assert.match(
      String(toolOutput(h.mock, "call_add")),
      /^Exit code: 0\nWall time: [\d.]+ seconds\nOutput:\nSuccess. Updated the following files:\nA hello.txt\n$/,
    );
    const labels = v2Notifications(c, from).map(noteLabel).filter((l) =>
      l.includes("fileChange") || l === "turn/diff/updated"
    );
    assert.deepEqual(labels.slice(0, 4), [
      "item/started:fileChange",
      "item/fileChange/outputDelta",
      "item/completed:fileChange",
      "turn/diff/updated",
    ]);
    const diffs = c.received.filter((m) => m.method === "turn/diff/updated");
    const last = diffs.at(-1)!.params.diff as string;
    assert.match(last, /diff --git a\/greet.txt b\/greet.txt\nnew file mode 100644\n/);
    assert.match(last, /\+hello\n\+there\n/);
  }, policyConfig("never", "workspace-write"));
});

Deno.test("apply_patch: a patch that does not apply is explained to the model, nothing changes", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    await Deno.writeTextFile(join(ws, "a.txt"), "one\ntwo\n");
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([
      customToolCall(
        "apply_patch",
        "*** Begin Patch\n*** Update File: a.txt\n@@\n-three\n+four\n*** End Patch",
        "call_bad",
      ),
      customToolCall(
        "apply_patch",
        "*** Begin Patch\n*** Update File: missing.txt\n@@\n-x\n+y\n*** End Patch",
        "call_missing",
      ),
      customToolCall("apply_patch", "not a patch", "call_garbage"),
    ]));
    h.mock.enqueue(textTurn("done"));
    await runTurn(c, threadId, "edit");
    assert.match(String(toolOutput(h.mock, "call_bad")), /Failed to find expected lines in a.txt/);
    assert.match(String(toolOutput(h.mock, "call_missing")), /missing.txt/);
    assert.match(String(toolOutput(h.mock, "call_garbage")), /invalid patch/);
    assert.equal(await Deno.readTextFile(join(ws, "a.txt")), "one\ntwo\n");
    assert.equal(c.received.filter((m) => m.params?.item?.type === "fileChange").length, 0);
  }, policyConfig("never", "workspace-write"));
});

Deno.test("apply_patch approval: the request, decline, then accept of the heredoc form", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([customToolCall("apply_patch", ADD_HELLO, "call_declined")]));
    h.mock.enqueue(turn([
      functionCall(
        "shell_command",
        { command: `apply_patch <<'EOF'\n${ADD_HELLO}EOF\n` },
        "call_heredoc",
      ),
    ]));
    h.mock.enqueue(textTurn("done"));
    const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
    const first = await nextServerRequest(c, "item/fileChange/requestApproval");
    assert.deepEqual(first.params, {
      threadId,
      turnId: res.result.turn.id,
      itemId: "call_declined",
      reason: null,
      grantRoot: null,
    });
    const legacy = c.received[c.received.indexOf(first) - 1]!;
    assert.equal(legacy.method, "codex/event/apply_patch_approval_request");
    assert.deepEqual(legacy.params.msg.changes, {
      [join(ws, "hello.txt")]: { type: "add", content: "hello\nworld\n" },
    });
    await reply(c, first, { decision: "decline" });
    const second = await nextServerRequest(
      c,
      "item/fileChange/requestApproval",
      c.received.indexOf(first) + 1,
    );
    assert.equal(second.params.itemId, "call_heredoc");
    await reply(c, second, { decision: "accept" });
    await c.waitFor((m) => m.method === "turn/completed");
    assert.equal((await completedItem(c, "call_declined")).params.item.status, "declined");
    assert.match(String(toolOutput(h.mock, "call_declined")), /rejected by user/);
    assert.equal((await completedItem(c, "call_heredoc")).params.item.status, "completed");
    assert.equal(await Deno.readTextFile(join(ws, "hello.txt")), "hello\nworld\n");
    // The heredoc was a file change, not a command.
    assert.equal(c.received.filter((m) => m.params?.item?.type === "commandExecution").length, 0);
  }, policyConfig("untrusted", "workspace-write"));
});

Deno.test("apply_patch under workspace-write: outside the writable roots asks, inside does not", async () => {
  await withThreadServer(
    async (s, h) => {
      const c = await connectClient(s);
      const ws = await makeWorkspace();
      const outside = await Deno.realPath(await Deno.makeTempDir({ prefix: "codex-outside-" }));
      const threadId = await startThread(c, ws);
      h.mock.enqueue(turn([
        customToolCall("apply_patch", ADD_HELLO, "call_in"),
        customToolCall(
          "apply_patch",
          `*** Begin Patch\n*** Add File: ${join(outside, "x.txt")}\n+x\n*** End Patch`,
          "call_out",
        ),
      ]));
      h.mock.enqueue(textTurn("done"));
      await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
      const req = await nextServerRequest(c, "item/fileChange/requestApproval");
      assert.equal(req.params.itemId, "call_out");
      assert.match(req.params.reason, /outside the writable roots/);
      await reply(c, req, { decision: "accept" });
      await c.waitFor((m) => m.method === "turn/completed");
      assert.equal(await Deno.readTextFile(join(outside, "x.txt")), "x\n");
      assert.equal(await Deno.readTextFile(join(ws, "hello.txt")), "hello\nworld\n");
      await Deno.remove(outside, { recursive: true });
    },
    policyConfig("on-request", "workspace-write", {
      tables:
        "\n[sandbox_workspace_write]\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true\n",
    }),
  );
});

Deno.test("apply_patch approval left unanswered: declined at the timeout, the reason in the item", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([customToolCall("apply_patch", ADD_HELLO, "call_wait")]));
    h.mock.enqueue(textTurn("done"));
    const done = await runTurn(c, threadId, "edit");
    assert.equal(done.params.turn.status, "completed");
    assert.equal((await completedItem(c, "call_wait")).params.item.status, "declined");
    const delta = await c.waitFor((m) =>
      m.method === "item/fileChange/outputDelta" && m.params.itemId === "call_wait"
    );
    assert.match(delta.params.delta, /no answer within 1 s/);
    await assert.rejects(Deno.stat(join(ws, "hello.txt")));
  }, policyConfig("untrusted", "workspace-write", { top: "approval_timeout_secs = 1\n" }));
});
