import assert from "node:assert/strict";
import { tempCodexHome, testMeta } from "./_test_rollouts.ts";
import { readRollout } from "./rollout_reader.ts";
import { RolloutWriter } from "./rollout_writer.ts";
import { newThreadId } from "./thread_id.ts";

const CREATED = Date.UTC(2026, 10, 22, 3, 57, 28, 96);

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

const userMessage = (text: string) => ({
  type: "event_msg" as const,
  payload: { type: "user_message", message: text, images: [], local_images: [] },
});

Deno.test("RolloutWriter: path known up front, file created only at the first user message", async () => {
  await using tmp = await tempCodexHome();
  const id = newThreadId(CREATED);
  const writer = RolloutWriter.create(tmp.home, testMeta(id, CREATED));
  assert.equal(
    writer.path,
    `${tmp.home}/sessions/2026/11/22/rollout-2026-11-22T03-57-28-${id}.jsonl`,
  );
  await writer.append({ type: "event_msg", payload: { type: "task_started", turn_id: "t1" } });
  await writer.append({
    type: "response_item",
    payload: { type: "message", role: "user", content: [{ type: "input_text", text: "ctx" }] },
  });
  await writer.flush();
  assert.equal(writer.materialized, false);
  assert.equal(await exists(writer.path), false);

  await writer.append(userMessage("hi"));
  await writer.append({ type: "event_msg", payload: { type: "task_complete", turn_id: "t1" } });
  await writer.close();
  const contents = await readRollout(writer.path);
  assert.deepEqual(contents.records.map((r) => `${r.type}:${r.payload.type ?? ""}`), [
    "session_meta:",
    "event_msg:task_started",
    "response_item:message",
    "event_msg:user_message",
    "event_msg:task_complete",
  ]);
  assert.equal(contents.meta?.id, id);
  assert.equal(contents.meta?.timestamp, "2026-11-22T03:57:28.096Z");
  for (const r of contents.records) assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
});

Deno.test("RolloutWriter: a thread without a user message never reaches disk", async () => {
  await using tmp = await tempCodexHome();
  const writer = RolloutWriter.create(tmp.home, testMeta(newThreadId(CREATED), CREATED));
  await writer.append({ type: "event_msg", payload: { type: "task_started" } });
  assert.equal(await writer.close(), false);
  assert.equal(await exists(`${tmp.home}/sessions`), false);
  await assert.rejects(writer.append(userMessage("late")), /closed/);
});

Deno.test("RolloutWriter: concurrent appends never interleave and keep call order", async () => {
  await using tmp = await tempCodexHome();
  const writer = RolloutWriter.create(tmp.home, testMeta(newThreadId(CREATED), CREATED), {
    sync: "turnEnd",
  });
  const pending: Promise<void>[] = [writer.append(userMessage("go"))];
  for (let i = 0; i < 300; i++) {
    // Large, uneven lines make any torn or interleaved write visible as a parse failure.
    const text = String(i % 10).repeat(1 + (i * 7919) % 70_000);
    pending.push(writer.append({ type: "response_item", payload: { type: "x", i, text } }));
    if (i % 50 === 0) {
      pending.push(writer.append({ type: "event_msg", payload: { type: "task_complete" } }));
    }
  }
  await Promise.all(pending);
  await writer.close();
  const contents = await readRollout(writer.path);
  assert.deepEqual(contents.skipped, []);
  const xs = contents.records.filter((r) => r.payload.type === "x");
  assert.equal(xs.length, 300);
  xs.forEach((r, i) => {
    assert.equal(r.payload.i, i);
    assert.equal((r.payload.text as string).length, 1 + (i * 7919) % 70_000);
  });
});

Deno.test("RolloutWriter: appends racing the file creation land after it, in order", async () => {
  await using tmp = await tempCodexHome();
  const writer = RolloutWriter.create(tmp.home, testMeta(newThreadId(CREATED), CREATED));
  const a = writer.append(userMessage("first"));
  const b = writer.append({ type: "event_msg", payload: { type: "agent_message", message: "x" } });
  await writer.materialize();
  await Promise.all([a, b]);
  await writer.close();
  const types = (await readRollout(writer.path)).records.map((r) => r.payload.type ?? r.type);
  assert.deepEqual(types, ["session_meta", "user_message", "agent_message"]);
});

Deno.test("RolloutWriter.resume appends, starting a fresh line after a torn tail", async () => {
  await using tmp = await tempCodexHome();
  const writer = RolloutWriter.create(tmp.home, testMeta(newThreadId(CREATED), CREATED));
  await writer.append(userMessage("hi"));
  await writer.close();
  // Simulate a crash in the middle of a line.
  await Deno.writeTextFile(writer.path, '{"timestamp":"2026-11-22T0', { append: true });

  const resumed = await RolloutWriter.resume(writer.path);
  assert.equal(resumed.materialized, true);
  await resumed.append(userMessage("again"));
  await resumed.sync();
  await resumed.close();
  const contents = await readRollout(writer.path);
  assert.deepEqual(contents.records.map((r) => r.payload.message ?? r.type), [
    "session_meta",
    "hi",
    "again",
  ]);
  assert.equal(contents.skipped.length, 1);
  assert.equal(contents.skipped[0]!.torn, false);
});

Deno.test("RolloutWriter.materialize creates the file without a user message (forks)", async () => {
  await using tmp = await tempCodexHome();
  const writer = RolloutWriter.create(tmp.home, testMeta(newThreadId(CREATED), CREATED));
  await writer.append({ type: "compacted", payload: { message: "summary" } });
  await writer.materialize();
  assert.equal(await exists(writer.path), true);
  assert.equal(await writer.close(), true);
  assert.equal((await readRollout(writer.path)).records.length, 2);
});

Deno.test("RolloutWriter.create rejects a meta without a valid timestamp", () => {
  assert.throws(
    () => RolloutWriter.create("/h", { ...testMeta("x", 0), timestamp: "soon" }),
    /invalid session_meta timestamp/,
  );
});
