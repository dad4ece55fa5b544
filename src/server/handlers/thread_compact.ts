/**
 * `thread/compact/start`: answers `{}` at once; the compaction then runs as a turn of the
 * thread (§5.7 of the reference notes), its events going to the thread's subscribers.
 *
 * @module
 */

import { invalidRequest } from "../../jsonrpc/errors.ts";
import { ThreadRequestError } from "../../core/threads/thread_manager.ts";
import type { Handler } from "../router.ts";
import { threadIdOf } from "./thread_live.ts";

/** Refuses a thread that is not loaded or already running a turn (`-32600`). */
export const threadCompactStart: Handler<"thread/compact/start"> = (ctx, params) => {
  const threadId = threadIdOf(params.threadId);
  try {
    ctx.server.threads.startCompaction(threadId);
  } catch (error) {
    if (error instanceof ThreadRequestError) throw invalidRequest(error.message);
    throw error;
  }
  return {};
};
