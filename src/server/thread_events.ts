/**
 * Turns core thread events into notifications: status changes are broadcast, everything
 * else goes to the thread's subscribers only. After a turn, the thread index is updated so
 * `thread/list` shows the thread.
 *
 * @module
 */

import type { ThreadEvent } from "../core/threads/thread_manager.ts";
import type { LiveThread } from "../core/threads/thread.ts";
import { summaryFromMeta } from "../core/rollout/thread_summary.ts";
import { getLogger } from "../log/logger.ts";
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
  turnCompleted: "turn/completed",
};

/** Sends one thread event where the protocol routes it. */
export function routeThreadEvent(server: ServerContext, event: ThreadEvent): void {
  const { kind, ...params } = event;
  const method = METHODS[kind];
  const subs = server.subscriptions;
  const targets = kind === "statusChanged"
    ? server.outgoing.ids()
    : subs.subscribers(event.threadId);
  // A connection attaching mid-turn gets these after its snapshot response (see Subscriptions).
  const now = targets.filter((id) => !subs.hold(event.threadId, id, { method, params }));
  server.outgoing.notifyMany(now, method, params);
}

/** Ends a hold: what was kept back goes out now, in order. */
export function releaseHeld(server: ServerContext, threadId: string, connectionId: number): void {
  for (const note of server.subscriptions.release(threadId, connectionId)) {
    server.outgoing.notifyMany([connectionId], note.method, note.params);
  }
}

/** Updates the thread index from a live thread whose turn has ended. */
export function threadTurnEnded(server: ServerContext, thread: LiveThread): void {
  if (!thread.writer.materialized) return;
  (async () => {
    const index = await server.threadIndex();
    const stat = await Deno.stat(thread.writer.path);
    const preview = thread.firstUserMessage ?? "";
    index.upsert(
      summaryFromMeta(thread.meta, thread.writer.path, {
        updatedAt: Math.floor((stat.mtime?.getTime() ?? Date.now()) / 1000),
        preview,
      }),
      { mtimeMs: stat.mtime?.getTime() ?? Date.now(), size: stat.size },
    );
  })().catch((error) => log.warn("thread index update failed", { error: String(error) }));
}
