/**
 * `thread/resume` and `thread/unsubscribe` (the latter from later Codex versions, 0.169
 * shapes). A stored thread is loaded from its rollout and appended to from then on; a loaded
 * one is attached to as it is, running turn included.
 *
 * @module
 */

import { invalidRequest } from "../../jsonrpc/errors.ts";
import { findRollout, RolloutNotFoundError } from "../../core/rollout/archive.ts";
import { RolloutWriter } from "../../core/rollout/rollout_writer.ts";
import { readThreadName } from "../../core/rollout/session_index.ts";
import { type LiveThread, turnsSnapshot } from "../../core/threads/thread.ts";
import { liveThreadFrom, readStoredThread } from "../../core/threads/thread_loader.ts";
import { isRealUserMessage } from "../../core/threads/compaction.ts";
import type { RawItem } from "../../core/model/events.ts";
import { getLogger } from "../../log/logger.ts";
import type { ThreadResumeParams, ThreadResumeResponse } from "../../protocol/schema/mod.ts";
import type { RequestContext } from "../context.ts";
import type { Handler } from "../router.ts";
import { indexLiveThread, releaseHeld } from "../thread_events.ts";
import { liveWireThread, sessionResult, threadIdOf } from "./thread_live.ts";
import { resolveThreadSettings } from "./thread_settings.ts";

const log = getLogger("codex_app_server::thread_resume");

const OVERRIDES = [
  "model",
  "modelProvider",
  "cwd",
  "approvalPolicy",
  "sandbox",
  "config",
  "baseInstructions",
  "developerInstructions",
  "personality",
] as const;

/**
 * `thread/resume`. Precedence is `history` > `path` > `threadId`. A cold load broadcasts
 * `thread/status/changed {idle}` before the response and sends no `thread/started`.
 */
export const threadResume: Handler<"thread/resume"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const loaded = ctx.server.threads.get(threadId);
  if (loaded) return attach(ctx, loaded, params);
  if (params.history && params.history.length > 0) return resumeFromHistory(ctx, params);
  const { thread } = await ctx.server.threads.load(threadId, () => loadStored(ctx, params));
  return attach(ctx, thread, params, true);
};

/**
 * Subscribes the caller and answers with the thread as it is now. The snapshot and the
 * subscription happen in one synchronous step, and the caller's events are held until the
 * response is out, so each event is seen exactly once: in the snapshot or after it.
 */
function attach(
  ctx: RequestContext,
  thread: LiveThread,
  params: ThreadResumeParams,
  fresh = false,
): ThreadResumeResponse | Promise<ThreadResumeResponse> {
  if (!fresh) {
    const running = thread.active !== null;
    if (running && params.history && params.history.length > 0) {
      throw invalidRequest(
        `cannot resume thread ${thread.id} with history while it is already running`,
      );
    }
    if (running && params.path && params.path !== thread.writer.path) {
      throw invalidRequest(
        `cannot resume running thread ${thread.id} with mismatched path: requested \`${params.path}\`, active \`${thread.writer.path}\``,
      );
    }
    if (params.history && params.history.length > 0) return resumeFromHistory(ctx, params);
    if (OVERRIDES.some((key) => params[key] !== undefined && params[key] !== null)) {
      log.warn(`thread/resume overrides ignored for running thread ${thread.id}`);
    }
  }
  const server = ctx.server;
  const connectionId = ctx.connection.id;
  server.subscriptions.subscribeHeld(thread.id, connectionId);
  const wire = liveWireThread(server, thread);
  wire.turns = turnsSnapshot(thread);
  // The response goes out in the promise continuations after this returns; a zero-delay
  // timer runs only after them.
  setTimeout(() => releaseHeld(server, thread.id, connectionId), 0);
  return sessionResult(thread, wire);
}

/**
 * `history` (experimental): a new thread whose model context is the given Responses items, as
 * the reference does; its rollout is written at once, so it can be listed and resumed.
 */
async function resumeFromHistory(
  ctx: RequestContext,
  params: ThreadResumeParams,
): Promise<ThreadResumeResponse> {
  // The params schema has already checked each item's shape.
  const history = (params.history ?? []) as RawItem[];
  const settings = await resolveThreadSettings(ctx.server, params);
  const thread = ctx.server.threads.start(settings);
  thread.history.push(...history);
  thread.firstUserMessage = firstUserText(history);
  await thread.writer.append(history.map((payload) => ({ type: "response_item", payload })));
  await thread.writer.materialize();
  await indexLiveThread(ctx.server, thread);
  return attach(ctx, thread, params, true);
}

/** The first thing the user said in raw history (the thread's preview). */
function firstUserText(history: readonly RawItem[]): string | null {
  for (const item of history) {
    if (!isRealUserMessage(item)) continue;
    const parts = Array.isArray(item.content) ? item.content as Array<{ text?: unknown }> : [];
    const text = parts.flatMap((p) => typeof p.text === "string" ? [p.text] : []).join("\n");
    if (text) return text;
  }
  return null;
}

/** Reads the rollout and builds the live thread; settings: overrides > rollout > config. */
async function loadStored(ctx: RequestContext, params: ThreadResumeParams): Promise<LiveThread> {
  const threadId = threadIdOf(params.threadId);
  const index = await ctx.server.threadIndex();
  const path = params.path ?? await findRollout(ctx.server.codexHome, threadId, { index });
  const notFound = () => invalidRequest(new RolloutNotFoundError(threadId, false).message);
  if (path === null) throw notFound();
  const stored = await readStoredThread(path).catch(() => null);
  if (stored === null) throw notFound();
  const settings = await resolveThreadSettings(ctx.server, params, {
    cwd: stored.meta.cwd,
    modelProvider: stored.meta.model_provider,
    baseInstructions: stored.meta.base_instructions?.text,
    turnContext: stored.lastTurnContext,
    dynamicTools: stored.meta.dynamic_tools,
  });
  const thread = liveThreadFrom(stored, await RolloutWriter.resume(path), settings);
  thread.name = await readThreadName(ctx.server.codexHome, thread.id);
  return thread;
}

/** `thread/unsubscribe`: `notLoaded`, `notSubscribed` or `unsubscribed`. */
export const threadUnsubscribe: Handler<"thread/unsubscribe"> = (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  if (!ctx.server.threads.get(threadId)) return { status: "notLoaded" };
  const removed = ctx.server.subscriptions.unsubscribe(threadId, ctx.connection.id);
  return { status: removed ? "unsubscribed" : "notSubscribed" };
};
