/**
 * Black-box crash recovery: the server is killed with SIGKILL while a turn streams, a torn
 * half line is appended to its rollout (what a kill in the middle of a write leaves), and a
 * new server on the same CODEX_HOME must still list, read and resume the thread, run a new
 * turn with the earlier conversation, and leave a rollout whose records all parse.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { type Msg, StdioClient } from "./support/clients.ts";
import { ServerProcess } from "./support/server.ts";
import { hangAfter, MockModelServer, mockProviderConfig, textTurn } from "./support/mock_model.ts";
import { initExperimental, sleep } from "./support/stdio_helpers.ts";

/** Half of a record, without its newline, as a kill mid-write leaves it. */
const TORN =
  '{"timestamp":"2026-11-22T05:00:00.000Z","type":"event_msg","payload":{"type":"agent_mes';

function ok(reply: Msg): Msg {
  assert.ok(reply.result, JSON.stringify(reply));
  return reply.result;
}

async function runTurn(c: StdioClient, threadId: string, text: string): Promise<Msg> {
  const id = ok(await c.request("turn/start", { threadId, input: [{ type: "text", text }] }))
    .turn.id;
  return await c.waitFor((m) => m.method === "turn/completed" && m.params.turn.id === id);
}

/** Polls until the file contains `needle` (the writer hands lines to the OS asynchronously). */
async function waitForText(path: string, needle: string, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await Deno.readTextFile(path).catch(() => "");
    if (text.includes(needle)) return text;
    if (Date.now() > deadline) assert.fail(`${path} never contained ${needle}:\n${text}`);
    await sleep(20);
  }
}

function userTexts(turn: Msg): string[] {
  return turn.items.filter((i: Msg) => i.type === "userMessage").map((i: Msg) =>
    i.content.map((c: Msg) => c.text).join("")
  );
}

Deno.test("crash: SIGKILL mid-turn, torn last line, then list/read/resume and a new turn", async () => {
  const mock = await MockModelServer.start();
  const home = await Deno.makeTempDir({ prefix: "codex-crash-test-" });
  const servers: ServerProcess[] = [];
  const start = async () => {
    const s = await ServerProcess.start({ codexHome: home });
    servers.push(s);
    const c = new StdioClient(s);
    await initExperimental(c);
    return { s, c };
  };
  try {
    await Deno.writeTextFile(join(home, "config.toml"), mockProviderConfig(mock.url));

    // First life: one finished turn, then a turn that stalls after two deltas.
    const first = await start();
    const thread = ok(await first.c.request("thread/start", {})).thread;
    const id: string = thread.id;
    const path: string = thread.path;
    mock.enqueue(textTurn("First answer", { id: "msg_first", deltas: ["First", " answer"] }));
    const t1 = await runTurn(first.c, id, "first question");
    assert.equal(t1.params.turn.status, "completed");
    mock.enqueue(
      hangAfter(
        4,
        textTurn("Second answer never finished", {
          id: "msg_second",
          deltas: ["Second", " answer", " never", " finished"],
        }),
      ),
    );
    const t2 = ok(
      await first.c.request("turn/start", {
        threadId: id,
        input: [{ type: "text", text: "second question" }],
      }),
    ).turn;
    // created, item added, two deltas: the stream then stalls.
    await first.c.waitFor((m) =>
      m.method === "item/agentMessage/delta" && m.params.turnId === t2.id &&
      m.params.delta === " answer"
    );
    await waitForText(path, "second question");
    first.s.child.kill("SIGKILL");
    const status = await first.s.child.status;
    assert.equal(status.signal, "SIGKILL");

    // What a kill in the middle of a write leaves behind.
    const beforeTear = await Deno.readTextFile(path);
    assert.ok(beforeTear.endsWith("\n"), "the writer only ever leaves whole lines");
    await Deno.writeTextFile(path, TORN, { append: true });

    // Second life.
    const second = await start();
    const list = ok(await second.c.request("thread/list", {}));
    const listed = list.data.find((t: Msg) => t.id === id);
    assert.ok(listed, JSON.stringify(list));
    assert.equal(listed.preview, "first question");
    assert.deepEqual(listed.status, { type: "notLoaded" });

    const read = ok(await second.c.request("thread/read", { threadId: id, includeTurns: true }));
    const turns: Msg[] = read.thread.turns;
    assert.deepEqual(turns.map((t) => t.id), [t1.params.turn.id, t2.id]);
    assert.equal(turns[0]!.status, "completed");
    assert.deepEqual(
      turns[0]!.items.map((i: Msg) => [i.type, i.text ?? userTexts({ items: [i] })[0]]),
      [["userMessage", "first question"], ["agentMessage", "First answer"]],
    );
    // The turn the crash cut short is kept, with its user message. Nothing on disk ends it, so
    // while it is the last turn it reads back `inProgress` (as the reference 0.105 shows it,
    // even on an idle thread); no model output was persisted for it (only deltas had arrived).
    const cut = turns[1]!;
    assert.deepEqual(userTexts(cut), ["second question"]);
    assert.equal(cut.status, "inProgress");
    assert.equal(cut.error, null);
    assert.ok(
      !cut.items.some((i: Msg) => i.type === "agentMessage"),
      `no agent message was completed: ${JSON.stringify(cut)}`,
    );

    const resumed = ok(await second.c.request("thread/resume", { threadId: id }));
    assert.deepEqual(resumed.thread.status, { type: "idle" });
    assert.deepEqual(resumed.thread.turns.map((t: Msg) => [t.id, t.status]), [
      [t1.params.turn.id, "completed"],
      [t2.id, "inProgress"],
    ]);

    mock.enqueue(textTurn("Third answer", { id: "msg_third", deltas: ["Third", " answer"] }));
    const t3 = await runTurn(second.c, id, "third question");
    assert.equal(t3.params.turn.status, "completed");
    assert.equal(t3.params.turn.items.at(-1).text, "Third answer");
    const reqs = await mock.waitForRequests(3);
    const input = JSON.stringify((reqs[2]!.body as Msg).input);
    for (const text of ["first question", "First answer", "second question", "third question"]) {
      assert.ok(input.includes(text), `model request lacks ${text}: ${input}`);
    }
    assert.ok(!input.includes("agent_mes"), "nothing of the torn line reaches the model");

    // The rollout: every line parses except the torn fragment we wrote, which stays alone on
    // its line (the next record started on a fresh line instead of being glued to it).
    const text = await waitForText(path, 'task_complete","turn_id":"' + t3.params.turn.id);
    assert.ok(text.endsWith("\n"));
    const lines = text.slice(0, -1).split("\n");
    const bad = lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(bad, [TORN]);
    const records = lines.filter((l) => l !== TORN).map((l) => JSON.parse(l));
    assert.equal(records[0].type, "session_meta");
    assert.equal(records.filter((r) => r.type === "session_meta").length, 1);

    // A third server reads the whole story back. Once a later turn starts, the cut turn is
    // closed as `completed` (the reference's rebuild rule for a turn with no end record).
    await second.s.close();
    const third = await start();
    const again = ok(await third.c.request("thread/read", { threadId: id, includeTurns: true }));
    assert.deepEqual(again.thread.turns.map((t: Msg) => [t.id, t.status]), [
      [t1.params.turn.id, "completed"],
      [t2.id, "completed"],
      [t3.params.turn.id, "completed"],
    ]);
    assert.equal(again.thread.turns[2].items.at(-1).text, "Third answer");
  } finally {
    for (const s of servers) await s.close();
    await mock.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
});
