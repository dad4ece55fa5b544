/**
 * The sandbox with real bubblewrap: workspace-write lets commands write the workspace but not
 * elsewhere, keeps `.git` read-only and the network off; read-only blocks writes; on-failure
 * re-runs a denied command outside the sandbox after approval; without bubblewrap sandboxed
 * modes are refused with a clear message. Also `command/exec`.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { functionCall, textTurn, turn } from "./support/mock_model.ts";
import { connectClient, runTurn, withThreadServer } from "./support/thread_harness.ts";
import {
  completedItem,
  makeWorkspace,
  nextServerRequest,
  policyConfig,
  reply,
  startThread,
  toolOutput,
} from "./support/tool_harness.ts";

const outsidePath = () => `/var/tmp/codex-sandbox-test-${crypto.randomUUID()}`;

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("workspace-write: workspace writes pass; outside writes, .git and network are blocked", async () => {
  const outside = outsidePath();
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    await Deno.mkdir(join(ws, ".git"));
    const threadId = await startThread(c, ws);
    const port = new URL(h.mock.url).port;
    h.mock.enqueue(turn([
      functionCall("shell_command", { command: "echo ok > inside.txt" }, "call_in"),
      functionCall("shell_command", { command: `touch ${outside}` }, "call_out"),
      functionCall("shell_command", { command: "touch .git/config" }, "call_git"),
      functionCall("shell_command", { command: `touch ${h.home}/evil.toml` }, "call_home"),
      functionCall("shell_command", { command: `exec 3<>/dev/tcp/127.0.0.1/${port}` }, "call_net"),
    ]));
    h.mock.enqueue(textTurn("done"));
    await runTurn(c, threadId, "try");
    assert.equal(await Deno.readTextFile(join(ws, "inside.txt")), "ok\n");
    assert.equal((await completedItem(c, "call_in")).params.item.status, "completed");
    assert.equal(await exists(outside), false);
    const out = (await completedItem(c, "call_out")).params.item;
    assert.equal(out.status, "failed");
    assert.match(out.aggregatedOutput, /Read-only file system|Permission denied/);
    assert.match(String(toolOutput(h.mock, "call_out")), /sandbox blocked this command/);
    assert.equal(await exists(join(ws, ".git", "config")), false);
    assert.equal((await completedItem(c, "call_git")).params.item.status, "failed");
    // CODEX_HOME lies under /tmp (a writable root) here, and still cannot be written.
    assert.equal(await exists(join(h.home, "evil.toml")), false);
    assert.equal((await completedItem(c, "call_home")).params.item.status, "failed");
    assert.equal((await completedItem(c, "call_net")).params.item.status, "failed");
  }, policyConfig("never", "workspace-write"));
});

Deno.test("workspace-write with network_access lets a command reach the network", async () => {
  await withThreadServer(
    async (s, h) => {
      const c = await connectClient(s);
      const threadId = await startThread(c, await makeWorkspace());
      const port = new URL(h.mock.url).port;
      h.mock.enqueue(turn([
        functionCall(
          "shell_command",
          { command: `exec 3<>/dev/tcp/127.0.0.1/${port}` },
          "call_net",
        ),
      ]));
      h.mock.enqueue(textTurn("done"));
      await runTurn(c, threadId, "try");
      assert.equal((await completedItem(c, "call_net")).params.item.status, "completed");
    },
    policyConfig("never", "workspace-write", {
      tables: "\n[sandbox_workspace_write]\nnetwork_access = true\n",
    }),
  );
});

Deno.test("read-only: a write in the workspace fails", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([functionCall("shell_command", { command: "touch x.txt" }, "call_w")]));
    h.mock.enqueue(textTurn("done"));
    await runTurn(c, threadId, "try");
    assert.equal(await exists(join(ws, "x.txt")), false);
    assert.equal((await completedItem(c, "call_w")).params.item.status, "failed");
  }, policyConfig("never", "read-only"));
});

Deno.test("on-failure: a denied command is re-run outside the sandbox after approval", async () => {
  const outside = outsidePath();
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(
      turn([functionCall("shell_command", { command: `touch ${outside}` }, "call_r")]),
    );
    h.mock.enqueue(textTurn("done"));
    const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
    const req = await nextServerRequest(c, "item/commandExecution/requestApproval");
    assert.equal(req.params.itemId, "call_r");
    assert.equal(req.params.reason, "command failed; retry without sandbox?");
    await reply(c, req, { decision: "accept" });
    await c.waitFor((m) =>
      m.method === "turn/completed" && m.params.turn.id === res.result.turn.id
    );
    assert.equal((await completedItem(c, "call_r")).params.item.status, "completed");
    assert.ok(await exists(outside));
    await Deno.remove(outside);
  }, policyConfig("on-failure", "workspace-write"));
});

Deno.test("without bubblewrap, sandboxed commands are refused clearly; full access still runs", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    h.mock.enqueue(turn([functionCall("shell_command", { command: "touch x.txt" }, "call_nb")]));
    h.mock.enqueue(textTurn("done"));
    await runTurn(c, threadId, "try");
    const item = (await completedItem(c, "call_nb")).params.item;
    assert.equal(item.status, "failed");
    assert.match(item.aggregatedOutput, /bubblewrap/);
    assert.equal(await exists(join(ws, "x.txt")), false);
    const exec = await c.request("command/exec", {
      command: ["true"],
      sandboxPolicy: { type: "dangerFullAccess" },
    });
    assert.deepEqual(exec.result, { exitCode: 0, stdout: "", stderr: "" });
  }, {
    ...policyConfig("never", "workspace-write"),
    env: {
      ...policyConfig("never", "workspace-write").env,
      CODEX_BWRAP_PATH: "/nonexistent/bwrap",
    },
  });
});

Deno.test("command/exec: output, exit code, errors, timeout and sandbox denial", async () => {
  await withThreadServer(async (s) => {
    const c = await connectClient(s);
    const ok = await c.request("command/exec", {
      command: ["bash", "-lc", "echo hi; echo err >&2; exit 3"],
      cwd: "/tmp",
    });
    assert.deepEqual(ok.result, { exitCode: 3, stdout: "hi\n", stderr: "err\n" });
    const empty = await c.request("command/exec", { command: [] });
    assert.deepEqual(empty.error, { code: -32600, message: "command must not be empty" });
    const badCwd = await c.request("command/exec", { command: ["true"], cwd: "/no/such/dir" });
    assert.equal(badCwd.error.code, -32603);
    assert.equal(badCwd.error.message, "exec failed: No such file or directory (os error 2)");
    const t0 = Date.now();
    const slow = await c.request("command/exec", { command: ["sleep", "5"], timeoutMs: 300 });
    assert.equal(slow.error.message, "exec failed: sandbox error: command timed out");
    assert.ok(Date.now() - t0 < 3000);
    const ws = await makeWorkspace();
    const denied = await c.request("command/exec", {
      command: ["touch", join(ws, "x")],
      cwd: ws,
      sandboxPolicy: { type: "readOnly" },
    });
    assert.equal(denied.error.code, -32603);
    assert.match(
      denied.error.message,
      /^exec failed: sandbox error: sandbox denied exec error, exit code: 1, stdout: , stderr: touch: /,
    );
    const big = await c.request("command/exec", {
      command: ["bash", "-c", "head -c 200000 /dev/zero | tr '\\0' a"],
      sandboxPolicy: { type: "dangerFullAccess" },
    });
    assert.equal(big.result.stdout.length, 200000);
  }, policyConfig("never", "workspace-write"));
});

Deno.test("on-failure acceptForSession: the same command later runs outside the sandbox at once", async () => {
  const outside = outsidePath();
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    const command = `echo x >> ${outside}`;
    h.mock.enqueue(turn([functionCall("shell_command", { command }, "call_s1")]));
    h.mock.enqueue(turn([functionCall("shell_command", { command }, "call_s2")]));
    h.mock.enqueue(textTurn("done"));
    const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "go" }] });
    const req = await nextServerRequest(c, "item/commandExecution/requestApproval");
    await reply(c, req, { decision: "acceptForSession" });
    await c.waitFor((m) =>
      m.method === "turn/completed" && m.params.turn.id === res.result.turn.id
    );
    assert.equal(
      c.received.filter((m) => m.method === "item/commandExecution/requestApproval").length,
      1,
    );
    const second = (await completedItem(c, "call_s2")).params.item;
    assert.equal(second.status, "completed");
    assert.equal(second.aggregatedOutput, null);
    const deltas = c.received.filter((m) =>
      m.method === "item/commandExecution/outputDelta" && m.params.itemId === "call_s2"
    );
    assert.deepEqual(deltas, [], "no denied sandboxed attempt first");
    assert.equal(await Deno.readTextFile(outside), "x\nx\n");
    await Deno.remove(outside);
  }, policyConfig("on-failure", "workspace-write"));
});
