/**
 * Black-box tests of what shapes a model request: thread/start settings (`config` map,
 * developer instructions, ephemeral threads), AGENTS.md files, per-turn overrides, image
 * input, and the legacy `codex/event/*` mirror that 0.105 clients wait on.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Msg, WsClient } from "./support/clients.ts";
import type { MockModelServer } from "./support/mock_model.ts";
import { textTurn } from "./support/mock_model.ts";
import type { WsServer } from "./support/ws_helpers.ts";
import { connectClient, runTurnWith, withThreadServer } from "./support/thread_harness.ts";

interface Setup {
  s: WsServer;
  mock: MockModelServer;
  home: string;
  work: string;
}

/** A server on a mock-model home, plus a scratch work directory. */
async function withSetup(fn: (setup: Setup) => Promise<void>): Promise<void> {
  await withThreadServer(async (s, { mock, home }) => {
    const work = await Deno.makeTempDir({ prefix: "codex-settings-work-" });
    try {
      await fn({ s, mock, home, work });
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  });
}

const client = (s: WsServer, optOut?: string[]): Promise<WsClient> =>
  connectClient(s, { optOutNotificationMethods: optOut });

const text = (input: string) => [{ type: "text", text: input }];

/** The texts of a request's input messages, with their roles. */
function messages(body: unknown): Array<{ role: string; text: string }> {
  return ((body as Msg).input as Msg[]).filter((i) => i.type === "message").map((i) => ({
    role: i.role,
    text: (i.content as Msg[]).map((p) => p.text ?? `<${p.type}>`).join(""),
  }));
}

Deno.test("thread/start: config map, developer instructions, AGENTS.md from root to cwd", async () => {
  await withSetup(async ({ s, mock, home, work }) => {
    await Deno.mkdir(join(work, ".git"));
    await Deno.mkdir(join(work, "pkg", "sub"), { recursive: true });
    await Deno.writeTextFile(join(home, "AGENTS.md"), "global rule");
    await Deno.writeTextFile(join(work, "AGENTS.md"), "root rule");
    await Deno.writeTextFile(join(work, "pkg", "AGENTS.md"), "pkg rule");
    const cwd = join(work, "pkg", "sub");
    const c = await client(s);
    const res = await c.request("thread/start", {
      cwd,
      developerInstructions: "Answer in haiku.",
      config: { model_reasoning_effort: "high" },
    });
    assert.equal(res.result.reasoningEffort, "high");
    mock.enqueue(textTurn("ok"));
    await runTurnWith(c, { threadId: res.result.thread.id, input: text("hi") });
    const body = mock.requests[0]!.body as Msg;
    assert.deepEqual(body.reasoning, { effort: "high" });
    const msgs = messages(body);
    assert.deepEqual(msgs.map((m) => m.role), ["developer", "user", "user", "user"]);
    assert.equal(msgs[0]!.text, "Answer in haiku.");
    const docs = msgs[1]!.text;
    assert.ok(docs.startsWith(`# AGENTS.md instructions for ${cwd}`), docs);
    const order = ["global rule", "root rule", "pkg rule"].map((r) => docs.indexOf(r));
    assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), docs);
    assert.match(msgs[2]!.text, /^<environment_context>/);
    assert.equal(msgs[3]!.text, "hi");
    await c.close();
  });
});

Deno.test("turn/start overrides: persist to later turns, except the output schema", async () => {
  await withSetup(async ({ s, mock, work }) => {
    const c = await client(s);
    const threadId = (await c.request("thread/start", {})).result.thread.id;
    const schema = { type: "object", properties: { a: { type: "string" } } };
    mock.enqueue(textTurn("one"), textTurn("two"), textTurn("three"));
    await runTurnWith(c, { threadId, input: text("first") });
    await runTurnWith(c, {
      threadId,
      input: text("second"),
      model: "other-model",
      effort: "low",
      cwd: work,
      sandboxPolicy: { type: "workspaceWrite", networkAccess: true },
      outputSchema: schema,
    });
    await runTurnWith(c, { threadId, input: text("third") });
    const [b1, b2, b3] = mock.requests.map((r) => r.body as Msg);
    assert.equal(b1!.model, "mock-model");
    assert.equal(b2!.model, "other-model");
    assert.deepEqual(b2!.reasoning, { effort: "low" });
    assert.deepEqual(b2!.text.format.schema, schema);
    assert.equal(b3!.model, "other-model", "overrides stay");
    assert.equal(b3!.text, undefined, "the output schema was for one turn only");
    // The changed environment is sent once, right before the turn that changed it.
    const envs = messages(b3).filter((m) => m.text.startsWith("<environment_context>"));
    assert.equal(envs.length, 2);
    assert.match(envs[1]!.text, new RegExp(`<cwd>${work}</cwd>`));
    assert.match(envs[1]!.text, /<sandbox_mode>workspace-write<\/sandbox_mode>/);
    assert.match(envs[1]!.text, /<network_access>enabled<\/network_access>/);
    const texts = messages(b3).map((m) => m.text);
    assert.ok(texts.indexOf(envs[1]!.text) < texts.indexOf("second"));
    const bad = await c.request("turn/start", { threadId, input: text("x"), outputSchema: 3 });
    assert.equal(bad.error.code, -32600);
    assert.equal(bad.error.message, "outputSchema must be a JSON Schema object");
    await c.close();
  });
});

Deno.test("image input: URLs pass through, local files go inline, bad files become a note", async () => {
  await withSetup(async ({ s, mock, work }) => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await Deno.writeFile(join(work, "shot.png"), png);
    const c = await client(s);
    const threadId = (await c.request("thread/start", { cwd: work })).result.thread.id;
    mock.enqueue(textTurn("seen"));
    const done = await runTurnWith(c, {
      threadId,
      input: [
        { type: "text", text: "look" },
        { type: "image", url: "https://example.com/a.png" },
        { type: "localImage", path: "shot.png" },
        { type: "localImage", path: "missing.png" },
      ],
    });
    const user = ((mock.requests[0]!.body as Msg).input as Msg[]).at(-1)!;
    assert.deepEqual(user.content[0], { type: "input_text", text: "look" });
    assert.deepEqual(user.content[1], {
      type: "input_image",
      image_url: "https://example.com/a.png",
    });
    assert.equal(user.content[2].image_url, "data:image/png;base64,iVBORw0KGgo=");
    assert.equal(user.content[3].type, "input_text");
    assert.match(user.content[3].text, /^\[image missing\.png: could not be read/);
    const item = done.params.turn.items[0];
    assert.deepEqual(item.content.slice(1), [
      { type: "image", url: "https://example.com/a.png" },
      { type: "localImage", path: "shot.png" },
      { type: "localImage", path: "missing.png" },
    ]);
    await c.close();
  });
});

Deno.test("ephemeral thread: no path, nothing on disk, not listed", async () => {
  await withSetup(async ({ s, mock, home }) => {
    const c = await client(s);
    const res = await c.request("thread/start", { ephemeral: true });
    const thread = res.result.thread;
    assert.equal(thread.path, null);
    assert.equal(thread.ephemeral, true);
    mock.enqueue(textTurn("gone"));
    const done = await runTurnWith(c, { threadId: thread.id, input: text("hi") });
    assert.equal(done.params.turn.status, "completed");
    const sessions = await Array.fromAsync(Deno.readDir(home)).then((e) =>
      e.filter((d) => d.name === "sessions")
    );
    assert.deepEqual(sessions, [], "no rollout written");
    const listed = await c.request("thread/list", {});
    assert.ok(!listed.result.data.some((t: Msg) => t.id === thread.id));
    await c.close();
  });
});

Deno.test("legacy codex/event mirror: each core event before its v2 twin; opt-out works", async () => {
  await withSetup(async ({ s, mock }) => {
    const a = await client(s);
    const quiet = await client(s, ["codex/event/agent_message_delta"]);
    const threadId = (await a.request("thread/start", {})).result.thread.id;
    await quiet.request("thread/resume", { threadId });
    mock.enqueue(textTurn("hey", { deltas: ["he", "y"] }));
    const from = a.received.length;
    const done = await runTurnWith(a, { threadId, input: text("hi") });
    await quiet.waitFor((m) => m.method === "turn/completed");
    const seen = a.received.slice(from).filter((m) => m.method?.startsWith("codex/event/"));
    assert.deepEqual(seen.map((m) => m.method.slice("codex/event/".length)), [
      "task_started",
      "item_started",
      "item_completed",
      "user_message",
      "token_count",
      "item_started",
      "agent_message_content_delta",
      "agent_message_delta",
      "agent_message_content_delta",
      "agent_message_delta",
      "item_completed",
      "agent_message",
      "token_count",
      "task_complete",
    ]);
    const turnId = done.params.turn.id;
    assert.deepEqual(seen.at(-1)!.params, {
      id: turnId,
      msg: { type: "task_complete", turn_id: turnId, last_agent_message: "hey" },
      conversationId: threadId,
    });
    const methods = a.received.slice(from).map((m) => m.method);
    assert.equal(
      methods.indexOf("codex/event/task_complete") + 1,
      methods.indexOf("turn/completed"),
    );
    assert.ok(!quiet.received.some((m) => m.method === "codex/event/agent_message_delta"));
    assert.ok(quiet.received.some((m) => m.method === "codex/event/task_complete"));
    await a.close();
    await quiet.close();
  });
});
