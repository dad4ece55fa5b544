/**
 * Turns core thread events into notifications: status changes are broadcast, everything
 * else goes to the thread's subscribers only. After a turn, the thread index is updated so
 * `thread/list` shows the thread.
 *
 * @module
 */

import type { ThreadEvent } from "../core/threads/thread_manager.ts";
import { type LiveThread, modelContextWindow } from "../core/threads/thread.ts";
import { summaryFromMeta } from "../core/rollout/thread_summary.ts";
import { getLogger } from "../log/logger.ts";
import { legacyNotes } from "./legacy_events.ts";
import type { HeldNotification } from "./subscriptions.ts";
import type { ServerContext } from "./context.ts";

const log = getLogger("codex_app_server::thread_events");

const METHODS: Record<ThreadEvent["kind"], string> = {
  statusChanged: "thread/status/changed",
  turnStarted: "turn/started",
  itemStarted: "item/started",
  itemCompleted: "item/completed",
  agentMessageDelta: "item/agentMessage/delta",
  reasoningSummaryPartAdded: "item/reasoning/summaryPartAdded",
  reasoningSummaryTextDelta: "item/reasoning/summaryTextDelta",
  reasoningTextDelta: "item/reasoning/textDelta",
  tokenUsage: "thread/tokenUsage/updated",
  error: "error",
  threadCompacted: "thread/compacted",
  turnCompleted: "turn/completed",
  threadClosed: "thread/closed",
  commandOutputDelta: "item/commandExecution/outputDelta",
  fileChangeOutputDelta: "item/fileChange/outputDelta",
  terminalInteraction: "item/commandExecution/terminalInteraction",
  turnDiffUpdated: "turn/diff/updated",
  planUpdated: "turn/plan/updated",
  // One core token count becomes up to two notifications; see v2Notes.
  tokenCount: "account/rateLimits/updated",
};

/**
 * The v2 notifications of one event: one each, except a token count, which is the usage
 * (when there is any yet) and then the rate limits, as the reference sends them.
 */
function v2Notes(event: ThreadEvent): HeldNotification[] {
  if (event.kind === "tokenCount") {
    const { threadId, turnId, tokenUsage, rateLimits } = event;
    const notes: HeldNotification[] = [];
    if (tokenUsage) {
      notes.push({
        method: "thread/tokenUsage/updated",
        params: { threadId, turnId, tokenUsage },
      });
    }
    notes.push({ method: "account/rateLimits/updated", params: { rateLimits } });
    return notes;
  }
  const { kind, ...params } = event;
  return [{ method: METHODS[kind], params }];
}

/** Items of later Codex versions, shown only to clients that opted into the experimental API. */
function experimentalOnly(event: ThreadEvent): boolean {
  return (event.kind === "itemStarted" || event.kind === "itemCompleted") &&
    (event.item as { type: string }).type === "dynamicToolCall";
}

/** Sends one thread event where the protocol routes it. */
export function routeThreadEvent(server: ServerContext, event: ThreadEvent): void {
  const kind = event.kind;
  const subs = server.subscriptions;
  // Statuses are broadcast; `thread/closed` (later Codex) only to experimental clients, which
  // must hear it although an idle unload happens when nobody is subscribed.
  let targets = kind === "statusChanged"
    ? server.outgoing.ids()
    : kind === "threadClosed"
    ? server.outgoing.experimentalIds()
    : subs.subscribers(event.threadId);
  if (experimentalOnly(event)) {
    const experimental = new Set(server.outgoing.experimentalIds());
    targets = targets.filter((id) => experimental.has(id));
  }
  if (kind === "threadClosed") subs.removeThread(event.threadId);
  if (targets.length === 0) return;
  // Subscribers also get the 0.105 core event first (statuses have none).
  const settings = server.threads.get(event.threadId)?.settings;
  const notes: HeldNotification[] = kind === "statusChanged" || experimentalOnly(event)
    ? []
    : legacyNotes(event, {
      modelContextWindow: settings ? modelContextWindow(settings) : null,
      collaborationMode: settings?.collaborationMode,
    });
  notes.push(...v2Notes(event));
  for (const note of notes) {
    // A connection attaching mid-turn gets these after its snapshot response (Subscriptions).
    const now = targets.filter((id) => !subs.hold(event.threadId, id, note));
    server.outgoing.notifyMany(now, note.method, note.params);
  }
}

/**
 * Resolves once some subscriber of the thread can take more output: at once unless every
 * one is behind on reading. Pacing by the fastest reader keeps memory bounded when all are
 * slow (a lone stdio client) while a slow one never holds back the others; its own
 * transport budget deals with it.
 */
export function subscribersCanRead(server: ServerContext, threadId: string): Promise<void> {
  const sinks = server.subscriptions.subscribers(threadId)
    .map((id) => server.outgoing.get(id)?.sink)
    .filter((sink) => sink !== undefined && !sink.closed);
  if (sinks.length === 0 || sinks.some((sink) => !sink!.saturated)) return Promise.resolve();
  return Promise.race(sinks.map((sink) => sink!.whenWritable()));
}

/** Ends a hold: what was kept back goes out now, in order. */
export function releaseHeld(server: ServerContext, threadId: string, connectionId: number): void {
  for (const note of server.subscriptions.release(threadId, connectionId)) {
    server.outgoing.notifyMany([connectionId], note.method, note.params);
  }
}

/** Updates the thread index from a live thread whose turn has ended. */
export function threadTurnEnded(server: ServerContext, thread: LiveThread): void {
  void indexLiveThread(server, thread);
}

/**
 * Records a live thread's rollout in the thread index, so `thread/list` shows it. A failure
 * is logged, not thrown: the index is rebuilt from the rollouts when it is stale.
 */
export async function indexLiveThread(server: ServerContext, thread: LiveThread): Promise<void> {
  if (!thread.writer.materialized) return;
  try {
    const index = await server.threadIndex();
    const stat = await Deno.stat(thread.writer.path);
    const mtimeMs = stat.mtime?.getTime() ?? Date.now();
    const summary = summaryFromMeta(thread.meta, thread.writer.path, {
      updatedAt: Math.floor(mtimeMs / 1000),
      preview: thread.firstUserMessage ?? "",
    });
    index.upsert(summary, { mtimeMs, size: stat.size });
  } catch (error) {
    log.warn("thread index update failed", { thread_id: thread.id, error: String(error) });
  }
}
