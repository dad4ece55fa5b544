/**
 * Live threads: `thread/start`, `turn/start`, `turn/steer`, `turn/interrupt` and
 * `thread/loaded/list`.
 * Settings come from the effective config (fresh from disk, as the reference reads it per
 * thread), with the request's overrides on top.
 *
 * @module
 */

import { invalidRequest } from "../../jsonrpc/errors.ts";
import { summaryFromMeta, toWireThread } from "../../core/rollout/thread_summary.ts";
import { ThreadRequestError, type TurnOverrides } from "../../core/threads/thread_manager.ts";
import type { LiveThread, ThreadSettings } from "../../core/threads/thread.ts";
import { parseThreadId } from "../../core/threads/thread_ref.ts";
import type { Thread } from "../../protocol/schema/thread.ts";
import type { TurnStartParams } from "../../protocol/schema/turn.ts";
import type { ServerContext } from "../context.ts";
import type { Handler } from "../router.ts";
import { resolveThreadSettings, settingsOfPolicy } from "./thread_settings.ts";
import { validateDynamicTools } from "../../core/tools/dynamic_tools.ts";

/** The canonical id, or the reference's `invalid thread id: …` error. */
export function threadIdOf(text: string): string {
  const parsed = parseThreadId(text);
  if (!parsed.ok) throw invalidRequest(`invalid thread id: ${parsed.reason}`);
  return parsed.id;
}

async function requestErrors<T>(body: () => T | Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ThreadRequestError) throw invalidRequest(error.message);
    throw error;
  }
}

/** The wire thread of a live thread. */
export function liveWireThread(server: ServerContext, thread: LiveThread): Thread {
  const summary = summaryFromMeta(thread.meta, thread.writer.path, {
    updatedAt: thread.createdAt,
    preview: thread.firstUserMessage ?? "",
  });
  const wire = toWireThread(summary, server.threads.status(thread.id));
  wire.name = thread.name;
  // An ephemeral thread has no rollout to point at.
  return thread.writer.ephemeral ? { ...wire, path: null, ephemeral: true } : wire;
}

/**
 * `thread/start`: `thread/status/changed {idle}` is broadcast before the response (the
 * thread exists once loaded), `thread/started` after it. The caller is subscribed.
 */
export const threadStart: Handler<"thread/start"> = async (ctx, params) => {
  // Checked before anything exists, as the reference does (§7.1).
  const problem = validateDynamicTools(params.dynamicTools ?? []);
  if (problem) throw invalidRequest(problem);
  const settings = await resolveThreadSettings(ctx.server, params);
  const thread = ctx.server.threads.start(settings);
  ctx.server.subscriptions.subscribe(thread.id, ctx.connection.id);
  const wire = liveWireThread(ctx.server, thread);
  setTimeout(() => ctx.server.outgoing.broadcast("thread/started", { thread: wire }), 0);
  return sessionResult(thread, wire);
};

/** The part of the thread/start, resume and fork results that describes the session. */
export function sessionResult(thread: LiveThread, wire: Thread) {
  const s = thread.settings;
  return {
    thread: wire,
    model: s.model,
    modelProvider: s.provider.id,
    cwd: s.cwd,
    approvalPolicy: s.approvalPolicy,
    // 0.169's default; approvals always go to the user here.
    approvalsReviewer: "user" as const,
    sandbox: s.sandboxPolicy as never,
    reasoningEffort: s.reasoningEffort ?? null,
  };
}

/** `turn/start`: answers with the in-progress turn; the turn's events follow the reply. */
export const turnStart: Handler<"turn/start"> = (ctx, params) =>
  requestErrors(() => {
    const threadId = threadIdOf(params.threadId);
    const turn = ctx.server.threads.startTurn(threadId, params.input, turnOverrides(params));
    return { turn };
  });

/** The settings a `turn/start` changes for this and later turns, and its output schema. */
function turnOverrides(params: TurnStartParams): TurnOverrides {
  const settings: Partial<ThreadSettings> = {};
  if (params.cwd) settings.cwd = params.cwd;
  if (params.approvalPolicy) settings.approvalPolicy = params.approvalPolicy;
  if (params.sandboxPolicy) Object.assign(settings, settingsOfPolicy(params.sandboxPolicy));
  if (params.model) settings.model = params.model;
  if (params.effort) settings.reasoningEffort = params.effort;
  if (params.summary) settings.reasoningSummary = params.summary;
  if (params.personality) settings.personality = params.personality;
  if (params.collaborationMode) settings.collaborationMode = params.collaborationMode.mode;
  const schema = params.outputSchema;
  if (
    schema !== undefined && schema !== null && (typeof schema !== "object" || Array.isArray(schema))
  ) {
    throw invalidRequest("outputSchema must be a JSON Schema object");
  }
  return { settings, outputSchema: (schema as Record<string, unknown> | null) ?? null };
}

/** `turn/steer`: queues input for the running turn; its `userMessage` item follows later. */
export const turnSteer: Handler<"turn/steer"> = (ctx, params) =>
  requestErrors(() => {
    const threadId = threadIdOf(params.threadId);
    const turnId = ctx.server.threads.steer(threadId, params.input, params.expectedTurnId);
    return { turnId };
  });

/** `turn/interrupt`: replies `{}` once the turn has stopped; `turn/completed` follows. */
export const turnInterrupt: Handler<"turn/interrupt"> = (ctx, params) =>
  requestErrors(async () => {
    await ctx.server.threads.interrupt(threadIdOf(params.threadId), params.turnId);
    return {};
  });

/** `thread/loaded/list`: ids of loaded threads; with a limit, the cursor is the last id. */
export const threadLoadedList: Handler<"thread/loaded/list"> = (ctx, params) => {
  let ids = ctx.server.threads.ids();
  if (params.cursor) {
    const at = ids.indexOf(params.cursor);
    if (at === -1) throw invalidRequest(`invalid cursor: ${params.cursor}`);
    ids = ids.slice(at + 1);
  }
  const limit = params.limit ?? null;
  if (limit === null || ids.length <= limit) return { data: ids, nextCursor: null };
  const page = ids.slice(0, Math.max(limit, 1));
  return { data: page, nextCursor: page[page.length - 1] ?? null };
};
