/**
 * The shell tools end to end: `shell_command` runs, streams and reports; bad calls come back
 * to the model as text; `exec_command` sessions are polled and fed with `write_stdin`; an
 * interrupt kills the whole process tree and still completes the item.
 */

import assert from "node:assert/strict";
import { alive, killMatching } from "../src/core/exec/_test_processes.ts";
import { functionCall, textTurn, turn } from "./support/mock_model.ts";
import {
  connectClient,
  noteLabel,
  runTurn,
  v2Notifications,
  withThreadHarness,
  withThreadServer,
} from "./support/thread_harness.ts";
import {
  completedItem,
  enqueueShell,
  makeWorkspace,
  policyConfig,
  startThread,
  toolOutput,
} from "./support/tool_harness.ts";

const opts = policyConfig("never", "danger-full-access");

Deno.test("shell_command: item started, output streamed, item completed, output to the model", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const ws = await makeWorkspace();
    const threadId = await startThread(c, ws);
    enqueueShell(h.mock, "echo hi; pwd", { callId: "call_sh" });
    const from = c.received.length;
    const done = await runTurn(c, threadId, "run it");
    assert.equal(done.params.turn.status, "completed");
    // Output may arrive in several chunks: consecutive deltas count once.
    const labels = v2Notifications(c, from).map(noteLabel).filter((l, i, all) =>
      l.includes("commandExecution") && !(l.endsWith("outputDelta") && all[i - 1] === l)
    );
    assert.deepEqual(labels, [
      "item/started:commandExecution",
      "item/commandExecution/outputDelta",
      "item/completed:commandExecution",
    ]);
    const started = c.received.find((m) =>
      m.method === "item/started" && m.params.item.id === "call_sh"
    )!;
    assert.equal(started.params.item.status, "inProgress");
    assert.equal(started.params.item.cwd, ws);
    assert.match(started.params.item.command, /-lc 'echo hi; pwd'$/);
    const item = (await completedItem(c, "call_sh")).params.item;
    assert.equal(item.status, "completed");
    assert.equal(item.exitCode, 0);
    assert.equal(item.aggregatedOutput, `hi\n${ws}\n`);
    assert.equal(typeof item.durationMs, "number");
    const out = String(toolOutput(h.mock, "call_sh"));
    assert.match(out, /^Exit code: 0\nWall time: [\d.]+ seconds\nOutput:\nhi\n/);
    // The model saw the tools it may call.
    const tools = (h.mock.requests[0]!.body as { tools: { name?: string }[] }).tools.map((t) =>
      t.name
    );
    for (const name of ["exec_command", "write_stdin", "apply_patch", "update_plan"]) {
      assert.ok(tools.includes(name), `${name} in ${tools}`);
    }
  }, opts);
});

Deno.test("shell_command: a failing command, a timeout, and bad calls reach the model as text", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(turn([
      functionCall("shell_command", { command: "echo oops >&2; exit 3" }, "call_fail"),
      functionCall("shell_command", { command: "sleep 5", timeout_ms: 300 }, "call_slow"),
      functionCall("shell_command", "{not json", "call_bad"),
      functionCall("shell_command", { workdir: "." }, "call_missing"),
      functionCall("no_such_tool", {}, "call_unknown"),
    ]));
    h.mock.enqueue(textTurn("done"));
    const started = Date.now();
    const done = await runTurn(c, threadId, "go");
    assert.equal(done.params.turn.status, "completed");
    assert.ok(Date.now() - started < 4000, "the timeout stopped sleep 5");
    const failed = (await completedItem(c, "call_fail")).params.item;
    assert.equal(failed.status, "failed");
    assert.equal(failed.exitCode, 3);
    assert.equal(failed.aggregatedOutput, "oops\n");
    assert.match(String(toolOutput(h.mock, "call_fail")), /^Exit code: 3\n/);
    assert.match(String(toolOutput(h.mock, "call_slow")), /^command timed out after 300 ms/);
    assert.match(String(toolOutput(h.mock, "call_bad")), /^failed to parse function arguments/);
    assert.equal(toolOutput(h.mock, "call_missing"), "missing required argument `command`");
    assert.equal(toolOutput(h.mock, "call_unknown"), "unsupported call: no_such_tool");
  }, opts);
});

Deno.test("exec_command and write_stdin: a session is fed, polled, and cleaned", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s, { experimentalApi: true });
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(turn([
      functionCall("exec_command", { cmd: "cat", yield_time_ms: 300 }, "call_cat"),
    ]));
    h.mock.enqueue(textTurn("started"));
    await runTurn(c, threadId, "start cat");
    const first = String(toolOutput(h.mock, "call_cat"));
    const sessionId = Number(/session ID (\d+)/.exec(first)?.[1]);
    assert.ok(sessionId > 0, first);
    const started = c.received.find((m) =>
      m.method === "item/started" && m.params.item.id === "call_cat"
    )!;
    assert.equal(started.params.item.status, "inProgress");

    h.mock.enqueue(turn([
      functionCall(
        "write_stdin",
        { session_id: sessionId, chars: "hello\n", yield_time_ms: 500 },
        "call_w",
      ),
    ]));
    h.mock.enqueue(textTurn("fed"));
    await runTurn(c, threadId, "feed it");
    assert.match(
      String(toolOutput(h.mock, "call_w")),
      /Process running with session ID \d+\nOutput:\nhello\n/,
    );
    const interaction = await c.waitFor((m) =>
      m.method === "item/commandExecution/terminalInteraction"
    );
    assert.deepEqual(interaction.params, {
      threadId,
      turnId: interaction.params.turnId,
      itemId: "call_cat",
      processId: String(sessionId),
      stdin: "hello\n",
    });

    h.mock.enqueue(turn([functionCall("write_stdin", { session_id: 999999 }, "call_gone")]));
    h.mock.enqueue(textTurn("ok"));
    await runTurn(c, threadId, "poll a missing session");
    assert.match(String(toolOutput(h.mock, "call_gone")), /unknown session id 999999/);

    const clean = await c.request("thread/backgroundTerminals/clean", { threadId });
    assert.deepEqual(clean.result, {});
    const item = (await completedItem(c, "call_cat")).params.item;
    assert.equal(item.status, "failed");
    assert.equal(item.aggregatedOutput, "hello\n");
  }, opts);
});

Deno.test("exec_command: a command that ends within the yield completes at once", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    h.mock.enqueue(turn([
      functionCall("exec_command", { cmd: "printf 'a\\nb\\n'", yield_time_ms: 5000 }, "call_p"),
    ]));
    h.mock.enqueue(textTurn("done"));
    const t0 = Date.now();
    await runTurn(c, threadId, "print");
    assert.ok(Date.now() - t0 < 4000);
    const item = (await completedItem(c, "call_p")).params.item;
    assert.equal(item.status, "completed");
    assert.equal(item.exitCode, 0);
    assert.equal(item.aggregatedOutput, "a\nb\n");
    assert.match(
      String(toolOutput(h.mock, "call_p")),
      /Process exited with code 0\nOutput:\na\nb\n/,
    );
  }, opts);
});

Deno.test("interrupt during a long command kills the process tree and completes the item", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    const marker = `sleep 47.${Math.floor(Math.random() * 1e6)}`;
    enqueueShell(h.mock, `(${marker}) & ${marker}; echo never`, {
      callId: "call_long",
      timeoutMs: 60_000,
    });
    const res = await c.request("turn/start", { threadId, input: [{ type: "text", text: "x" }] });
    const turnId = res.result.turn.id;
    await c.waitFor((m) => m.method === "item/started" && m.params.item.id === "call_long");
    for (let i = 0; i < 50 && !(await alive(marker)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(await alive(marker), "the command runs");
    const t0 = Date.now();
    const interrupted = await c.request("turn/interrupt", { threadId, turnId });
    assert.deepEqual(interrupted.result, {});
    const done = await c.waitFor((m) => m.method === "turn/completed");
    assert.equal(done.params.turn.status, "interrupted");
    assert.ok(Date.now() - t0 < 3000);
    const item = (await completedItem(c, "call_long")).params.item;
    assert.equal(item.status, "failed");
    assert.equal(await alive(marker), false, "no process of the tree is left");
  }, opts);
});

Deno.test("a background exec_command session ends when the server exits", async () => {
  await withThreadHarness(async (h) => {
    const { server, client } = await h.startStdio();
    const threadId = await startThread(client, await makeWorkspace());
    const marker = `sleep 53.${Math.floor(Math.random() * 1e6)}`;
    h.mock.enqueue(
      turn([functionCall("exec_command", { cmd: marker, yield_time_ms: 250 }, "call_bg")]),
    );
    h.mock.enqueue(textTurn("running"));
    await runTurn(client, threadId, "start it");
    assert.ok(await alive(marker), "the session runs after the turn");
    await client.closeInput();
    assert.equal((await server.exited()).code, 0);
    for (let i = 0; i < 20 && await alive(marker); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await alive(marker), false, "the server stopped its commands as it exited");
  }, opts);
});

Deno.test("a server killed during a command: the resumed thread continues with the call aborted", async () => {
  await withThreadHarness(async (h) => {
    const first = await h.startStdio();
    const ws = await makeWorkspace();
    const threadId = await startThread(first.client, ws);
    const marker = `sleep 59.${Math.floor(Math.random() * 1e6)}`;
    h.mock.enqueue(
      turn([functionCall("shell_command", { command: marker, timeout_ms: 60_000 }, "call_k")]),
    );
    await first.client.request("turn/start", { threadId, input: [{ type: "text", text: "wait" }] });
    await first.client.waitFor((m) => m.method === "item/started" && m.params.item.id === "call_k");
    // The call is in the rollout before it runs; give the writer a moment to hand it over.
    await new Promise((r) => setTimeout(r, 200));
    await first.server.close(); // SIGKILL: no output is ever recorded for the call
    killMatching(marker);

    const second = await h.startStdio();
    const resumed = await second.client.request("thread/resume", { threadId });
    assert.ok(resumed.result, JSON.stringify(resumed));
    h.mock.enqueue(textTurn("back"));
    const done = await runTurn(second.client, threadId, "continue");
    assert.equal(done.params.turn.status, "completed");
    assert.match(String(toolOutput(h.mock, "call_k")), /^aborted/);
  }, opts);
});

Deno.test("a client resuming mid-command sees the running command item", async () => {
  await withThreadServer(async (s, h) => {
    const a = await connectClient(s);
    const threadId = await startThread(a, await makeWorkspace());
    enqueueShell(h.mock, "sleep 1", { callId: "call_mid" });
    await a.request("turn/start", { threadId, input: [{ type: "text", text: "x" }] });
    await a.waitFor((m) => m.method === "item/started" && m.params.item.id === "call_mid");
    const b = await connectClient(s);
    const resumed = await b.request("thread/resume", { threadId });
    const running = resumed.result.thread.turns.at(-1);
    assert.equal(running.status, "inProgress");
    const item = running.items.find((i: { id: string }) => i.id === "call_mid");
    assert.equal(item?.status, "inProgress");
    const done = await b.waitFor((m) =>
      m.method === "item/completed" && m.params.item.id === "call_mid"
    );
    assert.equal(done.params.item.status, "completed");
  }, opts);
});

Deno.test("shell_environment_policy decides what a command's environment holds", async () => {
  await withThreadServer(async (s, h) => {
    const c = await connectClient(s);
    const threadId = await startThread(c, await makeWorkspace());
    enqueueShell(h.mock, 'echo "[$GREETING] [$API_TOKEN] [$PLAIN_VAR] [${HOME:+home}]"', {
      callId: "call_env",
    });
    await runTurn(c, threadId, "env");
    const item = (await completedItem(c, "call_env")).params.item;
    // `set` adds, the default excludes drop *TOKEN*, inherit = core drops other variables.
    assert.equal(item.aggregatedOutput, "[hello] [] [] [home]\n");
  }, {
    ...opts,
    env: { ...opts.env, API_TOKEN: "secret", PLAIN_VAR: "plain" },
    tables: '\n[shell_environment_policy]\ninherit = "core"\nset = { GREETING = "hello" }\n',
  });
});
