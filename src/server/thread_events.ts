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
  if (kind === "statusChanged") server.outgoing.broadcast(method, params);
  else server.outgoing.notifyMany(server.subscriptions.subscribers(event.threadId), method, params);
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
