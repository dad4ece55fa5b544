/**
 * `thread/turns/list` (0.169): a thread's turns a page at a time, so a client that opens a
 * long thread need not load every turn. A loaded thread answers from memory (its running
 * turn included, as `thread/resume` shows it); a stored one from its rollout.
 *
 * @module
 */

import { invalidRequest } from "../../jsonrpc/errors.ts";
import { readRollout } from "../../core/rollout/rollout_reader.ts";
import { buildTurns } from "../../core/threads/history.ts";
import { turnsSnapshot } from "../../core/threads/thread.ts";
import { pageTurns, TurnCursorError } from "../../core/threads/turn_pages.ts";
import type { Turn } from "../../protocol/schema/thread.ts";
import type { Handler } from "../router.ts";
import { threadIdOf } from "./thread_live.ts";
import { storedThread } from "./threads.ts";

/** `thread/turns/list`: newest first and summary items unless asked otherwise. */
export const threadTurnsList: Handler<"thread/turns/list"> = async (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  const live = ctx.server.threads.get(threadId);
  let turns: Turn[];
  if (live) {
    turns = turnsSnapshot(live);
  } else {
    const summary = await storedThread(ctx, await ctx.server.threadIndex(), threadId);
    if (summary === null) throw invalidRequest(`thread not loaded: ${threadId}`);
    turns = buildTurns((await readRollout(summary.rolloutPath)).records);
  }
  try {
    return pageTurns(turns, {
      cursor: params.cursor,
      limit: params.limit,
      order: params.sortDirection ?? "desc",
      view: params.itemsView ?? "summary",
    });
  } catch (error) {
    if (error instanceof TurnCursorError) throw invalidRequest(error.message);
    throw error;
  }
};
