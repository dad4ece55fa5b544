/**
 * Test helpers: real rollouts in real temp directories, written through `RolloutWriter`, so
 * the index and archive tests exercise the same bytes production writes.
 *
 * @module
 */

import type { SessionMetaPayload } from "./rollout_format.ts";
import { RolloutWriter } from "./rollout_writer.ts";
import { newThreadId } from "./thread_id.ts";

/** A fresh temp `CODEX_HOME`, removed by the returned disposer. */
export async function tempCodexHome(): Promise<{ home: string } & AsyncDisposable> {
  const home = await Deno.makeTempDir({ prefix: "codex_rollout_test_" });
  return {
    home,
    [Symbol.asyncDispose]: () => Deno.remove(home, { recursive: true }).catch(() => {}),
  };
}

/** A `session_meta` payload shaped like the reference's. */
export function testMeta(
  id: string,
  createdAtMs: number,
  extra: Partial<SessionMetaPayload> = {},
): SessionMetaPayload {
  return {
    id,
    timestamp: new Date(createdAtMs).toISOString(),
    cwd: "/work/project",
    originator: "codex_test",
    cli_version: "0.105.0",
    source: "vscode",
    model_provider: "mock",
    base_instructions: { text: "test instructions" },
    git: {},
    ...extra,
  };
}

export interface TestThreadOptions {
  id?: string;
  createdAtMs: number;
  /** `null`: no user message, the file is never created. */
  userMessage?: string | null;
  /** Mtime to set afterwards, in unix seconds. */
  mtimeSec?: number;
  meta?: Partial<SessionMetaPayload>;
}

/** Writes one simple turn; returns the thread id and rollout path. */
export async function writeTestThread(
  home: string,
  options: TestThreadOptions,
): Promise<{ id: string; path: string }> {
  const id = options.id ?? newThreadId(options.createdAtMs);
  const writer = RolloutWriter.create(home, testMeta(id, options.createdAtMs, options.meta));
  const turnId = newThreadId(options.createdAtMs + 1);
  await writer.append([
    { type: "event_msg", payload: { type: "task_started", turn_id: turnId } },
    {
      type: "response_item",
      payload: {
        type: "message",
        role: "user",
        content: [{ type: "input_text", text: "<environment_context>x</environment_context>" }],
      },
    },
  ]);
  if (options.userMessage !== null) {
    const text = options.userMessage ?? `hello ${id}`;
    await writer.append([
      {
        type: "response_item",
        payload: { type: "message", role: "user", content: [{ type: "input_text", text }] },
      },
      {
        type: "event_msg",
        payload: { type: "user_message", message: text, images: [], local_images: [] },
      },
      {
        type: "event_msg",
        payload: { type: "task_complete", turn_id: turnId, last_agent_message: "ok" },
      },
    ]);
  }
  await writer.close();
  if (options.mtimeSec !== undefined && writer.materialized) {
    await Deno.utime(writer.path, options.mtimeSec, options.mtimeSec);
  }
  return { id, path: writer.path };
}
